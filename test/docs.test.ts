/**
 * The docs stay true to the code and to each other: every environment variable the server reads
 * has its row in docs/operations.md's Configuration table (in src/config.ts's order, nothing
 * else), the README stays a front door (at most 10 KB), and every relative link of the README,
 * docs/*.md and BENCHMARKS.md names a file that exists (and, into Markdown, a heading it has);
 * the benchmark charts are what scripts/bench/charts.ts draws from figures BENCHMARKS.md states.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config.js';
import { formatFigure, readFigures, renderChart } from '../scripts/bench/charts.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const pages = ['README.md', 'BENCHMARKS.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The variables named in the first column of the table under `## Configuration`. */
export function configurationRows(markdown: string): string[] {
  const start = markdown.search(/^## Configuration$/m);
  if (start < 0) return [];
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1] as string);
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] as string)));
}

/** Relative link targets of a Markdown page: `[text](target)` and `![alt](target)`, code blocks aside. */
function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string).filter((t) => !/^[a-z]+:/i.test(t));
}

describe('docs', () => {
  it('the Configuration table of docs/operations.md lists every variable of src/config.ts, in its order, and no other', () => {
    expect(configurationRows(read('docs/operations.md'))).toEqual([...CONFIG_VARIABLES]);
  });

  it('the README is a front door: at most 10 KB', () => {
    expect(Buffer.byteLength(read('README.md'))).toBeLessThanOrEqual(10 * 1024);
  });

  it('every relative link of the README, docs/ and BENCHMARKS.md resolves, headings included', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const text = read(page);
      for (const target of relativeLinks(text)) {
        checked += 1;
        const [path = '', anchor] = target.split('#');
        const file = path === '' ? join(root, page) : join(root, dirname(page), path);
        if (!existsSync(file)) {
          broken.push(`${page}: ${target} (no ${relative(root, file)})`);
          continue;
        }
        if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
          broken.push(`${page}: ${target} (no heading #${anchor})`);
        }
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('every chart of docs/bench is drawn from docs/bench/figures.json, whose every figure BENCHMARKS.md states', () => {
    const charts = readFigures();
    expect(charts.map((c) => c.file).sort()).toEqual(readdirSync(join(root, 'docs/bench')).filter((f) => f.endsWith('.svg')).sort());
    const benchmarks = read('BENCHMARKS.md');
    for (const chart of charts) {
      expect(read(`docs/bench/${chart.file}`), `${chart.file} is stale: npx tsx scripts/bench/charts.ts`).toBe(renderChart(chart));
      expect(benchmarks).toContain(`docs/bench/${chart.file}`);
      for (const bar of chart.groups.flatMap((g) => g.bars)) expect(benchmarks, `${chart.file}: ${bar.series}`).toContain(formatFigure(bar.value));
    }
  });

  it('the anchor rule matches what GitHub makes of our headings', () => {
    expect(anchorOf("Civitai's drift")).toBe('civitais-drift');
    expect(anchorOf('What a GET carries')).toBe('what-a-get-carries');
    expect(anchorOf('Memory: what clients can fill, and the worst case')).toBe('memory-what-clients-can-fill-and-the-worst-case');
    expect(configurationRows('## Configuration\n\n| `A_B` | 1 |\n\n## Next\n\n| `C` | 2 |\n')).toEqual(['A_B']);
  });
});
