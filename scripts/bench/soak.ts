/**
 * `npm run soak`: 200 concurrent clients for 60 s (loopback only, stops by itself) against the
 * fixture upstream with 10 % injected faults of every kind. Reports crashes, facade 5xx, the
 * error-code distribution, p99 latency and RSS at start and end. Options: --seconds, --clients,
 * --cold (no caches, so every request reaches the faulty upstream), --hostile (the mix of
 * hostile.ts: three credentials, random ids, oversize, forged and encoded requests, and one
 * address holding 1,000 silent sockets; reports every request over its planned upstream calls
 * and RSS over time), --flood (with --hostile: only the heap flood of hostile.ts, 20 clients
 * unless --clients says otherwise).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { floodRequest, hostileRequest, type Outcome } from './hostile.js';
import { hoardSockets } from './hostile-http.js';
import { positiveOption, SERVER, start, type Running } from './processes.js';

const root = join(import.meta.dirname, '../..');
const { values: options } = parseArgs({
  options: { seconds: { type: 'string' }, clients: { type: 'string' }, cold: { type: 'boolean', default: false }, hostile: { type: 'boolean', default: false }, flood: { type: 'boolean', default: false }, 'max-rss': { type: 'string' } },
});
const SECONDS = positiveOption(options, 'seconds', 60);
const FLOOD = options.flood;
const CLIENTS = positiveOption(options, 'clients', FLOOD ? 20 : 200);
const COLD = options.cold;
const HOSTILE = options.hostile;
/** With --hostile: the RSS bound docs/operations.md states (MB); a peak at or above it fails the run. */
const MAX_RSS_MB = positiveOption(options, 'max-rss', 350);

const QUERIES = [
  '{ models(first: 20) { edges { node { id name creator { username } } } } }',
  '{ models(first: 10, sort: NEWEST) { nodes { id modelVersions { name files { name } images { url nsfw } } } } }',
  '{ models(first: 5) { nodes { tags { name modelCount } creator { modelCount } } } }',
  '{ creators(first: 20) { totalCount nodes { username modelCount } } }',
  '{ tags(first: 20) { nodes { name } } }',
  '{ a: model(id: 23) { name } b: model(id: 64) { name } c: modelVersion(id: 1318) { name createdAt } }',
  '{ models(first: 5, query: "style") { nodes { id name } } }',
];

async function main() {
  const fixture = await start(process.execPath, [join(root, 'dist/fixture/main.js'), '--port', '0'], {});
  const origin = new URL(fixture.url).origin;
  const server = await start(process.execPath, SERVER, {
    CIVITAI_API_URL: fixture.url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    UPSTREAM_TIMEOUT_MS: '1500',
    UPSTREAM_RETRY_BUDGET_MS: '1000',
    // Every simulated client connects from 127.0.0.1 (up to two sockets each: fetch's pool and
    // node:http's); only --hostile's hoarder, from 127.0.0.2, should meet the per-peer cap.
    MAX_CONNECTIONS_PER_PEER: String(2 * CLIENTS),
    ...(COLD ? { CACHE_MAX_BYTES: '0' } : {}),
  });
  let crashed = 0;
  server.child.once('exit', (code) => {
    if (code !== 0) crashed++;
  });
  await fetch(`${origin}/__fixture/fault-rate?rate=0.1`, { method: 'POST' });
  if (HOSTILE) return hostile(fixture, server, () => crashed);
  const rssStart = server.rssMb();
  const codes = new Map<string, number>();
  const latencies: number[] = [];
  let http5xx = 0;
  let requests = 0;
  let ok = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, worker) => {
      let i = worker;
      while (Date.now() < end) {
        const query = QUERIES[i++ % QUERIES.length] as string;
        const t = performance.now();
        try {
          const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
          const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
          if (response.status >= 500) http5xx++;
          for (const e of body.errors ?? []) codes.set(e.extensions?.code ?? 'NONE', (codes.get(e.extensions?.code ?? 'NONE') ?? 0) + 1);
          if (!body.errors) ok++;
        } catch {
          codes.set('FETCH_FAILED', (codes.get('FETCH_FAILED') ?? 0) + 1);
        }
        latencies.push(performance.now() - t);
        requests++;
      }
    }),
  );
  const rssEnd = server.rssMb();
  const upstream = ((await fetch(`${origin}/__fixture/stats`).then((r) => r.json())) as { total: number }).total;
  const peak = server.peakRssMb();
  await fetch(`${origin}/__fixture/fault-rate?rate=0`, { method: 'POST' });
  await server.stop();
  await fixture.stop();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))] ?? 0);
  const report = [
    `Soak${COLD ? ' (no caches)' : ''}: ${CLIENTS} clients × ${SECONDS} s, 10 % injected upstream faults (500, 502, 503, 429, resets, 2 s stalls, malformed JSON, HTML).`,
    `requests ${requests} (${Math.round(requests / SECONDS)} req/s), fully successful ${ok}, upstream calls ${upstream}, crashes ${crashed}, facade 5xx ${http5xx}`,
    `latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms; RSS start ${rssStart} MB, end ${rssEnd} MB, peak ${peak} MB`,
    `error codes: ${[...codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`,
  ].join('\n');
  mkdirSync(join(root, '.bench'), { recursive: true });
  writeFileSync(join(root, COLD ? '.bench/soak-cold.txt' : '.bench/soak.txt'), `${report}\n`);
  process.stdout.write(`${report}\n`);
  process.exit(crashed || http5xx ? 1 : 0);
}

/** A small seeded generator (mulberry32), so a run's mix can be repeated. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function hostile(fixture: Running, server: Running, crashes: () => number) {
  const origin = new URL(fixture.url).origin;
  const keys = /API keys: ([^\n]+)/.exec(fixture.output)?.[1]?.split(', ') ?? [];
  if (keys.length < 2) throw new Error(`the fixture printed fewer than two API keys:\n${fixture.output}`);
  // Real ids from the catalogue, beside random ones.
  const list = (await fetch(`${fixture.url}/models?limit=100&nsfw=true`).then((r) => r.json())) as { items: Array<{ id: number; modelVersions: Array<{ id: number }> }> };
  const setup = {
    url: server.url,
    credentials: [undefined, keys[0], keys[1]],
    modelIds: list.items.map((m) => m.id),
    versionIds: list.items.flatMap((m) => m.modelVersions.map((v) => v.id)),
    maxRequestBytes: 100_000,
    random: seeded(9),
  };
  // One address holds 1,000 silent sockets throughout: the clients above come from another.
  const hoarder = hoardSockets(server.url, 1_000);
  const started = Date.now();
  // RSS from /proc, and from the server's own /metrics what V8 holds (heap used, heap total, external).
  const metricsUrl = new URL('/metrics', server.url).toString();
  const heapMb = async (): Promise<string> => {
    try {
      const text = await fetch(metricsUrl, { signal: AbortSignal.timeout(4_000) }).then((r) => r.text());
      const read = (name: string) => Math.round(Number(new RegExp(`^cgql_nodejs_${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20);
      return `heap ${read('heap_size_used_bytes')}/${read('heap_size_total_bytes')}, ext ${read('external_memory_bytes')}`;
    } catch {
      return 'heap ?';
    }
  };
  const rss: Array<[number, number, string]> = [[0, server.rssMb(), await heapMb()]];
  const sampler = setInterval(() => {
    const at = Math.round((Date.now() - started) / 1000);
    const mb = server.rssMb();
    void heapMb().then((heap) => rss.push([at, mb, heap]));
  }, 5_000);
  const byKind = new Map<string, { n: number; statuses: Map<number, number> }>();
  const codes = new Map<string, number>();
  const latencies: number[] = [];
  let http5xx = 0;
  let executed = 0;
  let overPlan = 0;
  let overPlanWithRetries = 0;
  let worst = { calls: 0, retries: 0, planned: 0 };
  let failed = 0;
  const end = started + SECONDS * 1000;
  const tally = (outcome: Outcome) => {
    const kind = byKind.get(outcome.kind) ?? { n: 0, statuses: new Map<number, number>() };
    kind.n++;
    kind.statuses.set(outcome.status, (kind.statuses.get(outcome.status) ?? 0) + 1);
    byKind.set(outcome.kind, kind);
    if (outcome.status >= 500) http5xx++;
    for (const code of outcome.codes) codes.set(code, (codes.get(code) ?? 0) + 1);
    const cost = outcome.cost;
    if (cost && cost.planned !== null) {
      executed++;
      if (cost.calls - cost.retries > cost.planned) overPlan++;
      if (cost.calls > cost.planned) overPlanWithRetries++;
      if (cost.calls > worst.calls) worst = { calls: cost.calls, retries: cost.retries, planned: cost.planned };
    }
  };
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        try {
          tally(await (FLOOD ? floodRequest(setup) : hostileRequest(setup)));
        } catch {
          failed++;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  clearInterval(sampler);
  const hoarded = `${hoarder.open()} open at the end, ${hoarder.opened()} connections made`;
  hoarder.stop();
  rss.push([Math.round((Date.now() - started) / 1000), server.rssMb(), await heapMb()]);
  const peak = server.peakRssMb();
  const upstream = ((await fetch(`${origin}/__fixture/stats`).then((r) => r.json())) as { total: number }).total;
  await fetch(`${origin}/__fixture/fault-rate?rate=0`, { method: 'POST' });
  const crashed = crashes();
  await server.stop();
  await fixture.stop();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))] ?? 0);
  const requests = latencies.length;
  const statuses = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s || 'cut'}×${n}`).join(' ');
  const report = [
    FLOOD
      ? `Heap flood: ${CLIENTS} clients × ${SECONDS} s, only the flood of scripts/bench/hostile.ts (16 KB and 100 KB variables, 100 KB documents, APQ registrations, token-dense documents, in rotation).`
      : `Hostile soak: ${CLIENTS} clients × ${SECONDS} s, 10 % injected upstream faults, 3 credentials (anonymous + 2 keys), seeded mix (scripts/bench/hostile.ts).`,
    `requests ${requests} (${Math.round(requests / SECONDS)} req/s), client-side failures ${failed}, upstream calls ${upstream}, crashes ${crashed}, facade 5xx ${http5xx}`,
    `executed with a plan ${executed}: over plan (sent calls − retries > planned) ${overPlan}; calls with retries > planned ${overPlanWithRetries}; most calls in one request ${worst.calls} (${worst.retries} retries, planned ${worst.planned})`,
    `latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms; RSS peak ${peak} MB (bound checked: ${MAX_RSS_MB} MB)`,
    `RSS over time (s: RSS MB (V8 heap used/total, external MB)): ${rss.sort((a, b) => a[0] - b[0]).map(([t, mb, heap]) => `${t}: ${mb} (${heap})`).join(', ')}`,
    `silent sockets from 127.0.0.2 (1,000 kept open, reopened 5 s after the server closes one): ${hoarded}`,
    `by kind (status×count): ${[...byKind].sort((a, b) => b[1].n - a[1].n).map(([k, v]) => `${k} ${v.n} [${statuses(v.statuses)}]`).join('; ')}`,
    `error codes: ${[...codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`,
  ].join('\n');
  mkdirSync(join(root, '.bench'), { recursive: true });
  writeFileSync(join(root, FLOOD ? '.bench/soak-flood.txt' : '.bench/soak-hostile.txt'), `${report}\n`);
  process.stdout.write(`${report}\n`);
  process.exit(crashed || http5xx || overPlan || peak >= MAX_RSS_MB ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
