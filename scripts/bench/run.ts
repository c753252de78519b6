/**
 * `npm run bench`: loopback-only, bounded benchmark of this server against the fixture upstream
 * (latency 0 and 50 ms, cold and warm), beside a bare yoga ceiling and, with --mesh, GraphQL Mesh
 * v1 + Hive Gateway (default and tuned) installed in .bench/ from ../shared/bench/mesh.
 * Prints a Markdown report and writes it to .bench/report.md. Options: --seconds N (default 5),
 * --connections N (default 10), --mesh, --memory (the 100k-requests RSS run), --speed (only the
 * rows of issue 12 §2/§3: warm rows at 0 ms beside the raw-bytes floor and tuned Mesh, and cold S2
 * one at a time at 50 ms). Every run ends with the raw-bytes rows (a bare node:http server
 * writing our S1 and S2 answers from memory) and the warm ratios to it.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { answered, hammer, loop, post, type LoadResult } from './load.js';
import { positiveOption, SERVER, start, TSX, type Running } from './processes.js';
import { replicasBench } from './replicas.js';

const root = join(import.meta.dirname, '../..');
const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string' },
    connections: { type: 'string' },
    mesh: { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    'memory-only': { type: 'boolean', default: false },
    replicas: { type: 'string' },
    rounds: { type: 'string' },
    speed: { type: 'boolean', default: false },
  },
});
const SECONDS = positiveOption(options, 'seconds', 5);
const CONNECTIONS = positiveOption(options, 'connections', 10);
const out = join(root, '.bench');
mkdirSync(out, { recursive: true });

const S1 = '{ models(first: 20) { edges { node { id name type creator { username } } } } }';
const S2 = readFileSync(join(root, 'documents/models.graphql'), 'utf8');
const S2_BODY = JSON.stringify({
  query: S2 + readFileSync(join(root, 'documents/fragments.graphql'), 'utf8'),
  operationName: 'ModelPageDeep',
  variables: { first: 50 },
});
// The two Mesh recipe workloads (../shared/bench/mesh/body-*.json) asked of our schema, for like-for-like rows.
const MESH_LIST = '{ models(first: 20) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name type creator { username } modelVersions { id name } } } } }';
const MESH_NESTED = '{ models(first: 5) { edges { node { id modelVersions { id name model { name } } } } } }';
const NODES = 'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Model { name } ... on ModelVersion { name } ... on Creator { username } ... on Tag { name } } }';

interface Row { name: string; target: string; latency: number; cache: string; result: LoadResult; callsPerOp: number | string; peakRss: number; command: string }
const rows: Row[] = [];

async function stats(fixtureOrigin: string): Promise<number> {
  const body = (await fetch(`${fixtureOrigin}/__fixture/stats`).then((r) => r.json())) as { total: number };
  return body.total;
}

async function measure(name: string, target: string, latency: number, cache: string, fixtureOrigin: string, server: Running, run: () => Promise<LoadResult>, command: string) {
  // Let calls still running from the previous row finish first, so they are not counted here.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const before = await stats(fixtureOrigin);
  const result = await run();
  const calls = (await stats(fixtureOrigin)) - before;
  rows.push({ name, target, latency, cache, result, callsPerOp: result.requests ? Math.round((calls / result.requests) * 100) / 100 : 0, peakRss: server.peakRssMb(), command });
  process.stderr.write(`${name} ${target} ${latency}ms ${cache}: ${result.rps} req/s p50 ${result.p50} p99 ${result.p99} calls/op ${rows.at(-1)?.callsPerOp} errors ${result.errors}\n`);
}

async function mixedIds(url: string): Promise<string[]> {
  const data = (await post(url, '{ models(first: 10, nsfw: true) { nodes { id creator { id } tags { id } modelVersions { id } } } }')).data as {
    models: { nodes: Array<{ id: string; creator: { id: string } | null; tags: Array<{ id: string }>; modelVersions: Array<{ id: string }> }> };
  };
  const nodes = data.models.nodes;
  return [
    ...nodes.map((n) => n.id),
    ...nodes.slice(0, 5).map((n) => n.modelVersions[0]?.id as string),
    ...nodes.flatMap((n) => (n.creator ? [n.creator.id] : [])).slice(0, 3),
    ...nodes.flatMap((n) => n.tags.map((t) => t.id)).slice(0, 2),
  ].slice(0, 20);
}

/** S4: 1,200 models in pages of 100, one operation = 12 sequential requests. */
function walk(url: string) {
  return async () => {
    let after: string | null = null;
    for (let i = 0; i < 12; i++) {
      const r = (await post(url, 'query ($after: String) { models(first: 100, after: $after) { pageInfo { endCursor } nodes { id } } }', { after })) as {
        data?: { models: { pageInfo: { endCursor: string | null } } };
        errors?: unknown[];
      };
      if (r.errors) return false;
      after = r.data?.models.pageInfo.endCursor ?? null;
      if (!after) return false;
    }
    return true;
  };
}

async function ours(fixture: Running, latency: number, cache: 'cold' | 'warm', only?: ReadonlySet<string>) {
  const env: Record<string, string> = { CIVITAI_API_URL: fixture.url, PORT: '0', LOG_LEVEL: 'warn', ...(cache === 'cold' ? { CACHE_MAX_BYTES: '0' } : {}) };
  const server = await start(process.execPath, SERVER, env);
  const origin = new URL(fixture.url).origin;
  const command = `${cache === 'cold' ? 'CACHE_MAX_BYTES=0 ' : ''}CIVITAI_API_URL=<fixture --latency ${latency}> npm start`;
  try {
    const ids = await mixedIds(server.url);
    const scenarios: Array<[string, () => Promise<LoadResult>]> = [
      ['S1 list of 20', () => hammer(server.url, JSON.stringify({ query: S1 }), SECONDS, CONNECTIONS)],
      ['S2 50-model page', () => hammer(server.url, S2_BODY, SECONDS, CONNECTIONS)],
      // One client, one request at a time: each cold request pays every upstream call itself.
      ['S2 one at a time', () => loop(async () => answered(await (await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: S2_BODY })).text()), SECONDS, 1)],
      ['S3 nodes of 20 ids', () => hammer(server.url, JSON.stringify({ query: NODES, variables: { ids } }), SECONDS, CONNECTIONS)],
      ['S4 walk 1,200 models', () => loop(walk(server.url), SECONDS, 2)],
      ['Mesh list workload', () => hammer(server.url, JSON.stringify({ query: MESH_LIST }), SECONDS, CONNECTIONS)],
      ['Mesh nested workload', () => hammer(server.url, JSON.stringify({ query: MESH_NESTED }), SECONDS, CONNECTIONS)],
    ];
    for (const [name, run] of scenarios) {
      if (only && !only.has(name)) continue;
      if (cache === 'warm') await run().catch(() => undefined); // warm the cache once, unmeasured
      await measure(name, 'civitai-graphql', latency, cache, origin, server, run, command);
    }
  } finally {
    await server.stop();
  }
}

async function ceiling(fixture: Running) {
  const server = await start(process.execPath, SERVER, { CIVITAI_API_URL: fixture.url, PORT: '0', LOG_LEVEL: 'warn' });
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: S2_BODY }).then((r) => r.text());
  await server.stop();
  writeFileSync(join(out, 's2.json'), response);
  const bare = await start(process.execPath, [...TSX, join(root, 'scripts/bench/ceiling.ts'), join(out, 's2.json')], {});
  try {
    await measure('S2 50-model page', 'bare yoga ceiling', 0, 'memory', new URL(fixture.url).origin, bare, () => hammer(bare.url, S2_BODY, SECONDS, CONNECTIONS), 'npm run bench (ceiling.ts)');
  } finally {
    await bare.stop();
  }
}

/**
 * The recipe's two bodies, and the list without `type`: Mesh's enum, generated from the OpenAPI
 * description, rejects the live API's newer model types (LoCon, DoRA …) and answers with errors.
 */
function meshBodies(dir: string): Array<[string, string]> {
  const list = readFileSync(join(dir, 'body-list.json'), 'utf8');
  return [
    ['Mesh list workload', list],
    ['Mesh list workload without `type`', JSON.stringify({ query: (JSON.parse(list) as { query: string }).query.replace(' type ', ' ') })],
    ['Mesh nested workload', readFileSync(join(dir, 'body-nested.json'), 'utf8')],
  ];
}

async function mesh(fixture: Running, latency: number, modes: ReadonlyArray<'default' | 'tuned'> = ['default', 'tuned']) {
  const dir = join(out, 'mesh');
  if (!existsSync(join(dir, 'node_modules/.bin/hive-gateway'))) {
    cpSync(join(root, '../shared/bench/mesh'), dir, { recursive: true });
    execSync('chmod -R u+w . && npm install --no-audit --no-fund', { cwd: dir, stdio: 'ignore' }); // the shared copy is read-only
  }
  execSync('./node_modules/.bin/mesh-compose -o supergraph.graphql', { cwd: dir, env: { ...process.env, UPSTREAM_URL: fixture.url }, stdio: 'ignore' });
  const origin = new URL(fixture.url).origin;
  for (const mode of modes) {
    const args = mode === 'tuned' ? ['supergraph', '-c', 'gateway.tuned.config.ts'] : ['supergraph', 'supergraph.graphql'];
    const port = 4200 + (mode === 'tuned' ? 1 : 0);
    const gateway = await start(join(dir, 'node_modules/.bin/hive-gateway'), [...args, '--host', '127.0.0.1', '--port', String(port)], {}, /http:\/\/[^\s]+|listening|Serving|Starting/i, dir);
    gateway.url = `http://127.0.0.1:${port}/graphql`;
    for (let i = 0; i < 60; i++) if (await fetch(`http://127.0.0.1:${port}/readiness`).then((r) => r.ok, () => false)) break; else await new Promise((r) => setTimeout(r, 500));
    try {
      for (const [name, body] of meshBodies(dir)) {
        if (mode === 'tuned') await hammer(gateway.url, body, 1, 1);
        await measure(name, `Mesh + Hive Gateway (${mode})`, latency, mode === 'tuned' ? 'warm' : 'cold', origin, gateway, () => hammer(gateway.url, body, SECONDS, CONNECTIONS), `bash ../shared/bench/mesh/bench.sh ${mode}`);
      }
    } finally {
      await gateway.stop();
    }
  }
}

/**
 * The raw-bytes floor (issue 12 §2): our own warm S1 and S2 answers, fetched once, written from
 * memory by a bare node:http server (scripts/bench/raw-bytes.ts).
 */
async function rawBytes(fixture: Running) {
  const server = await start(process.execPath, SERVER, { CIVITAI_API_URL: fixture.url, PORT: '0', LOG_LEVEL: 'warn' });
  const stored: Array<{ name: string; body: string; file: string; type: string }> = [];
  try {
    for (const [name, body] of [['S1 list of 20', JSON.stringify({ query: S1 })], ['S2 50-model page', S2_BODY]] as const) {
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const file = join(out, `raw-${name.slice(0, 2).toLowerCase()}.bin`);
      writeFileSync(file, Buffer.from(await response.arrayBuffer()));
      stored.push({ name, body, file, type: response.headers.get('content-type') ?? 'application/json' });
    }
  } finally {
    await server.stop();
  }
  for (const { name, body, file, type } of stored) {
    const bare = await start(process.execPath, [...TSX, join(root, 'scripts/bench/raw-bytes.ts'), file, type], {});
    try {
      await measure(name, RAW, 0, 'memory', new URL(fixture.url).origin, bare, () => hammer(bare.url, body, SECONDS, CONNECTIONS), 'npm run bench (raw-bytes.ts)');
    } finally {
      await bare.stop();
    }
  }
}

const RAW = 'raw bytes (bare node:http)';

/** Warm rows as a fraction of the raw-bytes floor, and our warm Mesh workloads against tuned Mesh's. */
function ratios(): string[] {
  const find = (name: string, target: string, latency: number, cache: string) => rows.find((r) => r.name === name && r.target === target && r.latency === latency && r.cache === cache)?.result.rps;
  const lines: string[] = [];
  const ratio = (label: string, a: number | undefined, b: number | undefined, unit: (x: number) => string) => {
    if (a === undefined || b === undefined || b === 0) return;
    lines.push(`| ${label} | ${a} / ${b} = **${unit(a / b)}** |`);
  };
  const percent = (x: number) => `${Math.round(x * 100)} %`;
  const times = (x: number) => `${Math.round(x * 100) / 100}×`;
  for (const latency of [0, 50]) {
    ratio(`warm S1 / raw bytes (${latency} ms upstream)`, find('S1 list of 20', 'civitai-graphql', latency, 'warm'), find('S1 list of 20', RAW, 0, 'memory'), percent);
    ratio(`warm S2 / raw bytes (${latency} ms upstream)`, find('S2 50-model page', 'civitai-graphql', latency, 'warm'), find('S2 50-model page', RAW, 0, 'memory'), percent);
    ratio(`warm list workload, us / tuned Mesh without \`type\` (${latency} ms)`, find('Mesh list workload', 'civitai-graphql', latency, 'warm'), find('Mesh list workload without `type`', 'Mesh + Hive Gateway (tuned)', latency, 'warm'), times);
    ratio(`warm nested workload, us / tuned Mesh (${latency} ms)`, find('Mesh nested workload', 'civitai-graphql', latency, 'warm'), find('Mesh nested workload', 'Mesh + Hive Gateway (tuned)', latency, 'warm'), times);
  }
  return lines.length ? ['', '| ratio | value |', '| --- | --- |', ...lines] : [];
}

async function memory(fixture: Running) {
  const server = await start(process.execPath, SERVER, { CIVITAI_API_URL: fixture.url, PORT: '0', LOG_LEVEL: 'warn' });
  try {
    const started = server.rssMb();
    const total = 100_000;
    let next = 0;
    let errors = 0;
    const t = performance.now();
    // 100,000 requests over 10,000 distinct upstream URLs (searches), 50 at a time.
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let n = next++; n < total; n = next++) {
          const r = await post(server.url, `{ models(first: 5, query: "m${n % 10_000}") { nodes { id name } } }`).catch(() => ({ errors: [1] }));
          if (r.errors) errors++;
        }
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    const result: LoadResult = { requests: total, rps: Math.round(total / seconds), p50: 0, p99: 0, errors };
    rows.push({ name: `M 100k requests over 10k upstream URLs (RSS start ${started} MB, end ${server.rssMb()} MB)`, target: 'civitai-graphql', latency: 0, cache: 'warm', result, callsPerOp: '-', peakRss: server.peakRssMb(), command: 'npm run bench -- --memory' });
  } finally {
    await server.stop();
  }
}

async function main() {
  const fixture = await start(process.execPath, [join(root, 'dist/fixture/main.js'), '--port', '0'], {});
  if (options.replicas !== undefined) {
    // Only the replicas comparison (scripts/bench/replicas.ts).
    try {
      const lines = await replicasBench(fixture, positiveOption(options, 'replicas', 3), positiveOption(options, 'rounds', 5));
      writeFileSync(join(out, 'replicas.md'), `${lines.join('\n')}\n`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await fixture.stop();
    }
    return;
  }
  try {
    const setLatency = (ms: number) => fetch(`${new URL(fixture.url).origin}/__fixture/latency?ms=${ms}`, { method: 'POST' });
    if (options.speed) {
      await setLatency(0);
      await ours(fixture, 0, 'warm', new Set(['S1 list of 20', 'S2 50-model page', 'Mesh list workload', 'Mesh nested workload']));
      if (options.mesh) await mesh(fixture, 0, ['tuned']);
      await setLatency(50);
      await ours(fixture, 50, 'cold', new Set(['S2 one at a time']));
    }
    for (const latency of options['memory-only'] || options.speed ? [] : [0, 50]) {
      await setLatency(latency);
      await ours(fixture, latency, 'cold');
      await ours(fixture, latency, 'warm');
      if (options.mesh) await mesh(fixture, latency);
    }
    await setLatency(0);
    if (!options['memory-only']) await rawBytes(fixture);
    if (!options['memory-only'] && !options.speed) await ceiling(fixture);
    if (options.memory || options['memory-only']) await memory(fixture);
  } finally {
    await fixture.stop();
  }
  const lines = [
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${SECONDS} s per row, ${CONNECTIONS} connections (S4: 2 walkers).`,
    '',
    '| scenario | target | upstream latency | cache | req/s | p50 ms | p99 ms | upstream calls/op | peak RSS MB | errors | reproduce |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.name} | ${r.target} | ${r.latency} ms | ${r.cache} | ${r.result.rps} | ${r.result.p50} | ${r.result.p99} | ${r.callsPerOp} | ${r.peakRss} | ${r.result.errors} | \`${r.command}\` |`),
    ...ratios(),
  ];
  writeFileSync(join(out, 'report.md'), `${lines.join('\n')}\n`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
