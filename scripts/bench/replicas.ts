/**
 * `npm run bench -- --replicas N`: one replica alone against N replicas sharing one Redis, in the
 * same run, on the same workload: 200 distinct queries (searches, and up to 100 models by id) asked
 * `--rounds` times (default 5), 10 at a time, spread over the replicas round-robin the way a load
 * balancer would, so that a query's repeats land on other replicas than its first ask. Reports
 * upstream calls per query (the fixture's counter), p50/p99, RSS per replica and Redis memory
 * (INFO memory). The fixture upstream answers with 50 ms latency; Redis is a local redis-server
 * on 127.0.0.1 without persistence (test/helpers/redis.ts).
 */
import { Redis } from 'ioredis';
import { startRedis } from '../../test/helpers/redis.js';
import { post } from './load.js';
import { SERVER, start, type Running } from './processes.js';

export interface ReplicaRow {
  target: string;
  requests: number;
  upstreamCalls: number;
  callsPerQuery: number;
  p50: number;
  p99: number;
  errors: number;
  rssMb: number[];
  redisMemory: string;
  /** Redis lookups summed over the replicas, from their /metrics. */
  redisLookups: string;
}

async function redisLookups(servers: Running[]): Promise<string> {
  const totals: Record<string, number> = { hit: 0, miss: 0, error: 0 };
  for (const s of servers) {
    const text = await fetch(new URL('/metrics', s.url)).then((r) => r.text());
    for (const m of text.matchAll(/^cgql_cache_lookups_total\{tier="redis",outcome="(\w+)"\} (\d+)/gm)) totals[m[1]!] = (totals[m[1]!] ?? 0) + Number(m[2]);
  }
  return `${totals.hit} hit / ${totals.miss} miss / ${totals.error} error`;
}

const CONCURRENCY = 10;
const LATENCY_MS = 50;

/** The 200 distinct queries: searches by a term, then single models by id. */
async function workload(fixture: Running): Promise<string[]> {
  const list = (await fetch(`${fixture.url}/models?limit=100`).then((r) => r.json())) as { items: Array<{ id: number }> };
  // Live-mode pages may come short; searches make up the 200.
  const ids = list.items.map((m) => m.id).slice(0, 100);
  return [
    ...Array.from({ length: 200 - ids.length }, (_, i) => JSON.stringify({ query: `{ models(first: 5, query: "m${i}") { nodes { id name type } } }` })),
    ...ids.map((id) => JSON.stringify({ query: `{ model(id: ${id}) { id name type creator { username } } }` })),
  ];
}

async function fixtureCalls(fixture: Running): Promise<number> {
  return ((await fetch(`${new URL(fixture.url).origin}/__fixture/stats`).then((r) => r.json())) as { total: number }).total;
}

async function drive(servers: Running[], bodies: string[], rounds: number): Promise<{ latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const jobs = Array.from({ length: rounds }, (_, round) => bodies.map((body, i) => ({ body, server: servers[(i + round) % servers.length]! }))).flat();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let n = next++; n < jobs.length; n = next++) {
        const { body, server } = jobs[n]!;
        const t = performance.now();
        const text = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
          (r) => r.text(),
          () => '',
        );
        latencies.push(performance.now() - t);
        if (!text.startsWith('{"data":{') || text.includes('"errors":[')) errors++;
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), errors };
}

const quantile = (sorted: number[], q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;

async function measureFleet(fixture: Running, bodies: string[], rounds: number, count: number, redisUrl: string | undefined, redisInfo: () => Promise<string>): Promise<ReplicaRow> {
  const env: Record<string, string> = {
    CIVITAI_API_URL: fixture.url,
    PORT: '0',
    LOG_LEVEL: 'warn',
    CURSOR_SECRET: 'bench-replicas-cursor-secret-0123456789abcdef',
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: `bench-${Date.now()}:` } : {}),
  };
  const servers = await Promise.all(Array.from({ length: count }, () => start(process.execPath, SERVER, env)));
  try {
    // Let each replica connect to Redis before the first request.
    for (const s of servers) await post(s.url, '{ __typename }');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = await fixtureCalls(fixture);
    const { latencies, errors } = await drive(servers, bodies, rounds);
    await new Promise((resolve) => setTimeout(resolve, 500)); // background refreshes, if any
    const upstreamCalls = (await fixtureCalls(fixture)) - before;
    return {
      target: redisUrl ? `${count} replicas + Redis` : `${count} replica${count > 1 ? 's' : ''}, no Redis`,
      requests: latencies.length,
      upstreamCalls,
      callsPerQuery: Math.round((upstreamCalls / latencies.length) * 1000) / 1000,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      errors,
      rssMb: servers.map((s) => s.rssMb()),
      redisMemory: redisUrl ? await redisInfo() : '-',
      redisLookups: redisUrl ? await redisLookups(servers) : '-',
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

export async function replicasBench(fixture: Running, replicas: number, rounds: number): Promise<string[]> {
  const origin = new URL(fixture.url).origin;
  await fetch(`${origin}/__fixture/latency?ms=${LATENCY_MS}`, { method: 'POST' });
  const redis = await startRedis();
  const client = new Redis(redis.url);
  try {
    const bodies = await workload(fixture);
    const info = async () => {
      const text = await client.info('memory');
      const field = (name: string) => /^(\S+):(\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name}:`)) ?? '')?.[2] ?? '?';
      return `${field('used_memory_human')} used (dataset ${field('used_memory_dataset')} B, ${await client.dbsize()} keys), peak ${field('used_memory_peak_human')}`;
    };
    const rows = [await measureFleet(fixture, bodies, rounds, 1, undefined, info), await measureFleet(fixture, bodies, rounds, replicas, redis.url, info)];
    return [
      `Workload: ${bodies.length} distinct queries × ${rounds} rounds, ${CONCURRENCY} at a time, round-robin over the replicas (a query's repeats land on other replicas); fixture upstream latency ${LATENCY_MS} ms.`,
      '',
      '| target | requests | upstream calls | calls/query | p50 ms | p99 ms | RSS per replica MB | Redis memory | Redis lookups | errors |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.target} | ${r.requests} | ${r.upstreamCalls} | ${r.callsPerQuery} | ${r.p50} | ${r.p99} | ${r.rssMb.join(' / ')} | ${r.redisMemory} | ${r.redisLookups} | ${r.errors} |`),
    ];
  } finally {
    client.disconnect();
    await redis.stop();
    await fetch(`${origin}/__fixture/latency?ms=0`, { method: 'POST' });
  }
}
