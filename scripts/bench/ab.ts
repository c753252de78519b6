/**
 * `npx tsx scripts/bench/ab.ts <pairs> label=<checkout>[,ENV=value...] ...`: cold S2 one request at a
 * time at 50 ms upstream latency, rotating between the given builds in the same minutes; p50 and
 * server CPU ms per request (from /proc) for each.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from './processes.js';
const root = join(import.meta.dirname, '../..');
const s2Body = (dir: string) => JSON.stringify({ query: readFileSync(join(dir, 'documents/models.graphql'), 'utf8') + readFileSync(join(dir, 'documents/fragments.graphql'), 'utf8'), operationName: 'ModelPageDeep', variables: { first: 50 } });
const n = Number(process.argv[2] ?? 30);
const specs = process.argv.slice(3).map((a) => {
  const label = a.slice(0, a.indexOf('=')); const rest = a.slice(a.indexOf('=') + 1);
  const [dir, ...envs] = rest.split(',');
  return { label, dir: dir!, env: Object.fromEntries(envs.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])) };
});
const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const fixture = await start(process.execPath, [join(root, 'dist/fixture/main.js'), '--port', '0'], {});
await fetch(`${new URL(fixture.url).origin}/__fixture/latency?ms=${process.env.LATENCY ?? 50}`, { method: 'POST' });
const servers = [];
for (const s of specs) servers.push({ ...s, body: s2Body(s.dir), times: [] as number[], run: await start(process.execPath, [...(process.env.PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF_DIR}/${s.label}`] : []), '--max-old-space-size=160', join(s.dir, 'dist/src/main.js')], { CIVITAI_API_URL: fixture.url, PORT: '0', LOG_LEVEL: 'warn', CACHE_MAX_BYTES: '0', ...s.env }) });
const ask = async (s: { run: { url: string }; body: string }) => { const body = await fetch(s.run.url, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': process.env.AE ?? 'gzip, deflate' }, body: s.body }).then((r) => r.text()); if (!body.startsWith('{"data":{') || body.includes('"errors":[')) throw new Error(body.slice(0, 200)); };
for (const s of servers) for (let i = 0; i < 3; i++) await ask(s);
const cpu0 = servers.map((s) => cpu(s.run.child.pid!));
for (let i = 0; i < n; i++) {
  const order = servers.map((_, k) => (k + i) % servers.length);
  for (const k of order) { const s = servers[k]!; const t = performance.now(); await ask(s); s.times.push(performance.now() - t); }
}
const q = (a: number[], p: number) => Math.round([...a].sort((x, y) => x - y)[Math.floor(p * a.length)]!);
servers.forEach((s, k) => console.log(`${s.label.padEnd(14)} p50 ${q(s.times, 0.5)} p10 ${q(s.times, 0.1)} p90 ${q(s.times, 0.9)}  cpu/req ${((cpu(s.run.child.pid!) - cpu0[k]!) / n).toFixed(1)} ms`));
for (const s of servers) await s.run.stop();
await fixture.stop();
process.exit(0);
