/**
 * /metrics passes the lint of `promtool check metrics` (client_golang's promlint), re-stated here
 * so the suite needs no 96 MB Prometheus package: every family has HELP; names and label names
 * are snake_case without reserved colons; `_total` ends counters' names and no other type's;
 * no type in a name (`_counter`, `_gauge`, …); base units only (`_seconds`, `_bytes`, not `_ms`,
 * `_milliseconds`, `_kb`: promlint's own lists); `le` only on histograms and `quantile` only on summaries.
 * The families checked are those of a live server after a query (the lazily created ones too).
 */
import { describe, expect } from 'vitest';
import { test } from '../helpers/stack.js';

const it = test;

interface Family {
  name: string;
  type: string | undefined;
  help: string | undefined;
  samples: Array<{ name: string; labels: string[] }>;
}

function families(text: string): Map<string, Family> {
  const all = new Map<string, Family>();
  const family = (name: string) => {
    let f = all.get(name);
    if (!f) all.set(name, (f = { name, type: undefined, help: undefined, samples: [] }));
    return f;
  };
  const owner = (sample: string) => {
    for (const suffix of ['_bucket', '_sum', '_count', '']) {
      const base = suffix ? sample.slice(0, -suffix.length) : sample;
      if (sample.endsWith(suffix) && all.has(base) && (suffix === '' || ['histogram', 'summary'].includes(all.get(base)!.type ?? ''))) return base;
    }
    return sample;
  };
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') family(meta[2]!).help = meta[3];
      else family(meta[2]!).type = meta[3];
      continue;
    }
    const sample = /^([^\s{]+)(?:\{(.*)\})?\s/.exec(line);
    if (!sample) continue;
    const labels = [...(sample[2] ?? '').matchAll(/([^=,\s]+)="(?:[^"\\]|\\.)*"/g)].map((m) => m[1]!);
    family(owner(sample[1]!)).samples.push({ name: sample[1]!, labels });
  }
  return all;
}

const SNAKE = /^[a-z_][a-z0-9_]*$/;
const TYPE_IN_NAME = /_(counter|gauge|histogram|summary|untyped)(_|$)/;
/** promlint's lists: a prefixed base unit (`milliseconds`, `kilobytes`), or an abbreviated unit. */
const PREFIXES = ['pico', 'nano', 'micro', 'milli', 'centi', 'deci', 'deca', 'hecto', 'kilo', 'kibi', 'mega', 'mibi', 'giga', 'gibi', 'tera', 'tebi', 'peta', 'pebi'];
const UNITS = ['amperes', 'bytes', 'celsius', 'grams', 'joules', 'kelvin', 'meters', 'metres', 'seconds', 'volts'];
const ABBREVIATIONS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];
const NON_BASE_UNITS = new RegExp(`_(${PREFIXES.flatMap((p) => UNITS.map((u) => p + u)).join('|')}|${ABBREVIATIONS.join('|')})(_|$)`);

/** promlint's problems for one family, as "name: problem". */
export function lint(f: Family): string[] {
  const problems: string[] = [];
  const say = (problem: string) => problems.push(`${f.name}: ${problem}`);
  if (!f.help) say('no help text');
  if (!SNAKE.test(f.name)) say('metric names should be written in snake case, not camel case, and without colons');
  if (f.type === 'counter' && !f.name.endsWith('_total')) say('counter metrics should have "_total" suffix');
  if (f.type !== 'counter' && f.name.endsWith('_total')) say('non-counter metrics should not have "_total" suffix');
  if (TYPE_IN_NAME.test(f.name)) say('metric name should not include type');
  if (NON_BASE_UNITS.test(f.name)) say('use base units (seconds, bytes)');
  for (const label of new Set(f.samples.flatMap((s) => s.labels))) {
    if (!SNAKE.test(label)) say(`label names should be written in snake case, not camel case: ${label}`);
    if (label === 'le' && f.type !== 'histogram') say('non-histogram metrics should not have "le" label');
    if (label === 'quantile' && f.type !== 'summary') say('non-summary metrics should not have "quantile" label');
  }
  return problems;
}

describe('/metrics lint', () => {
  it('the lint itself finds what promtool finds', () => {
    const f = (name: string, type: string, labels: string[] = []): Family => ({ name, type, help: 'x', samples: [{ name, labels }] });
    expect(lint(f('requests', 'counter'))).toHaveLength(1);
    expect(lint(f('up_total', 'gauge'))).toHaveLength(1);
    expect(lint(f('request_ms', 'histogram'))).toHaveLength(1);
    expect(lint(f('requests_total', 'counter', ['operationName']))).toHaveLength(1);
    expect(lint({ ...f('ok_total', 'counter'), help: undefined })).toHaveLength(1);
    expect(lint(f('requests_total', 'counter', ['operation_name']))).toEqual([]);
  });

  it('when a live server has answered queries, then every family of /metrics passes promtool check metrics', async ({ stack }) => {
    expect((await stack.client.execute('{ models(first: 2) { nodes { id creator { username } } } }')).errors).toBeUndefined();
    await stack.client.execute('{ model(id: 999999999) { id } }');
    const text = await fetch(new URL('/metrics', stack.url)).then((r) => r.text());
    const all = [...families(text).values()];
    expect(all.length).toBeGreaterThan(10);
    expect(all.flatMap(lint)).toEqual([]);
  });
});
