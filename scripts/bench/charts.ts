/**
 * The charts of BENCHMARKS.md, drawn from docs/bench/figures.json (the benchmark scripts print
 * Markdown, so the figures the charts show are kept there, beside the tables that state them).
 * Plain hand-written SVG: one horizontal bar per figure, grouped, one colour per series.
 * `npx tsx scripts/bench/charts.ts` rewrites docs/bench/*.svg; test/docs.test.ts checks that the
 * committed files are what this draws and that every figure is one of BENCHMARKS.md's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Bar {
  readonly series: string;
  readonly value: number;
}
export interface Group {
  readonly label: string;
  readonly bars: readonly Bar[];
}
export interface Chart {
  readonly file: string;
  readonly title: string;
  readonly note: string;
  readonly unit: string;
  /** `chart`: one scale for every bar; `group`: each group scaled to its own largest bar (mixed units). */
  readonly scale: 'chart' | 'group';
  readonly groups: readonly Group[];
}

export const FIGURES = fileURLToPath(new URL('../../docs/bench/figures.json', import.meta.url));
export const OUTPUT = fileURLToPath(new URL('../../docs/bench/', import.meta.url));

const COLOURS = ['#2f6fdf', '#9aa5b1', '#e07b39', '#3aa76d'];
const WIDTH = 760;
const LABEL = 210;
const BAR = 18;
const GAP = 4;
const GROUP_GAP = 14;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A figure as the tables print it: thousands separated, decimals kept. */
export const formatFigure = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

function seriesOf(chart: Chart): string[] {
  return [...new Set(chart.groups.flatMap((g) => g.bars.map((b) => b.series)))];
}

function text(x: number, y: number, content: string, extra = ''): string {
  return `<text x="${x}" y="${y}"${extra}>${escape(content)}</text>`;
}

/** The SVG of one chart: title, legend, then each group's bars with their figures. */
export function renderChart(chart: Chart): string {
  const series = seriesOf(chart);
  const chartMax = Math.max(...chart.groups.flatMap((g) => g.bars.map((b) => b.value)));
  const span = WIDTH - LABEL - 90;
  const parts: string[] = [];
  let y = 56 + Math.ceil(series.length / 2) * 18;
  series.forEach((name, i) => {
    const lx = 16 + (i % 2) * 360;
    const ly = 48 + Math.floor(i / 2) * 18;
    parts.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`, text(lx + 18, ly, name));
  });
  for (const group of chart.groups) {
    const max = chart.scale === 'group' ? Math.max(...group.bars.map((b) => b.value)) : chartMax;
    parts.push(text(16, y + BAR - 5, group.label, ' font-weight="bold"'));
    for (const bar of group.bars) {
      const width = max > 0 ? Math.max(1, Math.round((bar.value / max) * span)) : 1;
      const colour = COLOURS[series.indexOf(bar.series) % COLOURS.length];
      parts.push(
        `<rect x="${LABEL}" y="${y}" width="${width}" height="${BAR}" fill="${colour}"><title>${escape(`${bar.series}: ${formatFigure(bar.value)} ${chart.unit}`)}</title></rect>`,
        text(LABEL + width + 6, y + BAR - 5, `${formatFigure(bar.value)}${chart.unit ? ` ${chart.unit}` : ''}`),
      );
      y += BAR + GAP;
    }
    y += GROUP_GAP;
  }
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12" fill="#1f2328">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(16, 24, chart.title, ' font-size="15" font-weight="bold"'),
    ...parts,
    text(16, height - 10, chart.note, ' font-size="11" fill="#57606a"'),
    '</svg>',
    '',
  ].join('\n');
}

export function readFigures(path = FIGURES): Chart[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { charts: Chart[] }).charts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const chart of readFigures()) {
    writeFileSync(join(OUTPUT, chart.file), renderChart(chart));
    process.stdout.write(`${join(OUTPUT, chart.file)}\n`);
  }
}
