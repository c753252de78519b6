/**
 * `npx tsx scripts/bench/compare.ts <other-checkout> [pairs]` (both built with `npm run build`):
 * this build against another one on the same fixture, in the same minutes, so a shared machine's
 * load falls on both alike: cold S2 one request at a time at 50 ms upstream latency, alternating
 * between the two servers (p50/p10/p90 and server CPU ms per request from /proc), then warm S1
 * under autocannon on each in turn. BENCHMARKS.md, "Warm path" and "Cold path".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from './processes.js';
import { hammer } from './load.js';
const root = join(import.meta.dirname, '../..');
const S2_BODY = JSON.stringify({ query: readFileSync(join(root, 'documents/models.graphql'), 'utf8') + readFileSync(join(root, 'documents/fragments.graphql'), 'utf8'), operationName: 'ModelPageDeep', variables: { first: 50 } });
const S1 = JSON.stringify({ query: '{ models(first: 20) { edges { node { id name type creator { username } } } } }' });
const other: string = process.argv[2] ?? '';
if (other === '') throw new Error('usage: compare.ts <other-checkout> [pairs]');
const server = (dist: string, env: Record<string, string>, url: string) => start(process.execPath, ['--max-old-space-size=160', join(dist, 'dist/src/main.js')], { CIVITAI_API_URL: url, PORT: '0', LOG_LEVEL: 'warn', ...env });
async function main() {
  const n = Number(process.argv[3] ?? 40);
  const fixture = await start(process.execPath, [join(root, 'dist/fixture/main.js'), '--port', '0'], {});
  const origin = new URL(fixture.url).origin;
  await fetch(`${origin}/__fixture/latency?ms=50`, { method: 'POST' });
  const base = await server(other, { CACHE_MAX_BYTES: '0' }, fixture.url);
  const now = await server(root, { CACHE_MAX_BYTES: '0' }, fixture.url);
  const times: Record<string, number[]> = { base: [], now: [] };
  const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
  const cpu0 = { base: cpu(base.child.pid!), now: cpu(now.child.pid!), fixture: cpu(fixture.child.pid!) };
  for (let i = 0; i < n; i++) {
    for (const [name, s] of i % 2 ? ([['now', now], ['base', base]] as const) : ([['base', base], ['now', now]] as const)) {
      const t = performance.now();
      const body = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: S2_BODY }).then((r) => r.text());
      if (!body.startsWith('{"data":{') || body.includes('"errors":[')) throw new Error(body.slice(0, 200));
      times[name]!.push(performance.now() - t);
    }
  }
  const cpuUsed = { base: cpu(base.child.pid!) - cpu0.base, now: cpu(now.child.pid!) - cpu0.now, fixture: cpu(fixture.child.pid!) - cpu0.fixture };
  console.log(`CPU ms per request: base ${(cpuUsed.base / n).toFixed(1)}, now ${(cpuUsed.now / n).toFixed(1)}, fixture ${(cpuUsed.fixture / n / 2).toFixed(1)}`);
  await base.stop(); await now.stop();
  const q = (a: number[], p: number) => Math.round([...a].sort((x, y) => x - y)[Math.floor(p * a.length)]!);
  for (const k of ['base', 'now']) console.log(`cold S2 50ms one at a time, ${k}: n=${times[k]!.length} p50 ${q(times[k]!, 0.5)} p10 ${q(times[k]!, 0.1)} p90 ${q(times[k]!, 0.9)}`);
  await fetch(`${origin}/__fixture/latency?ms=0`, { method: 'POST' });
  for (const [name, dist] of [['base', other], ['now', root]] as const) {
    const s = await server(dist, {}, fixture.url);
    await hammer(s.url, S1, 2, 10);
    const r = await hammer(s.url, S1, 5, 10);
    console.log(`warm S1 ${name}: ${r.rps} req/s p50 ${r.p50} p99 ${r.p99} errors ${r.errors}`);
    await s.stop();
  }
  await fixture.stop();
}
main().then(() => process.exit(0));
