/**
 * Two replicas in one process over one fixture upstream and one real Redis on 127.0.0.1: what
 * one replica learned upstream, the other answers without asking again (whole results and
 * upstream answers), across a Redis outage, and with cursors from either.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureUpstream, type FixtureUpstream } from '../../fixture/index.js';
import { metricValue, scrape } from '../helpers/prometheus.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startReplicas, type Replica } from '../helpers/fleet.js';


const CURSOR_SECRET = 'replicas-share-this-cursor-secret-0123456789';
let redis: TestRedis;
let raw: Redis;
let fixture: FixtureUpstream;
let fleet: Replica[] = [];

beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  raw.on('error', () => {});
  fixture = await createFixtureUpstream();
});
afterEach(async () => {
  await Promise.all(fleet.map((r) => r.server.close()));
  fleet = [];
  fixture.clearFaults();
  fixture.setLatency(0);
  fixture.resetLog();
});
afterAll(async () => {
  raw?.disconnect();
  await fixture?.close();
  await redis?.stop();
});

async function startFleet(n: number, env: Record<string, string> = {}): Promise<Replica[]> {
  fleet = await startReplicas(n, fixture.url, redis.url, { CURSOR_SECRET, ...env });
  return fleet;
}

/** Writes to the shared tier are sent after the answer; wait until Redis holds still. */
async function writesSettled(): Promise<void> {
  if (raw.status !== 'ready') await raw.connect().catch(() => undefined);
  let last = -1;
  for (let i = 0; i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 40));
    const size = await raw.dbsize();
    if (size === last && size > 0) return;
    last = size;
  }
}

const lookups = async (r: Replica, tier: string, outcome: string) => metricValue(await scrape(r.url), 'cgql_cache_lookups_total', { tier, outcome });

const NAMES = '{ models(first: 8, sort: HIGHEST_RATED) { edges { node { id name } } } }';
const TYPES = '{ models(first: 8, sort: HIGHEST_RATED) { edges { node { id type nsfw } } } }';

describe('replicas sharing one Redis', () => {
  it('when replica A has answered a query, then replica B answers it from the whole-result cache with 0 upstream calls', async () => {
    const [a, b] = await startFleet(2);

    const cold = await a!.client.execute(NAMES);
    expect(cold.errors).toBeUndefined();
    expect(fixture.calls()).toBeGreaterThan(0);
    await writesSettled();
    fixture.resetLog();
    const [responseHits, redisHits] = [await lookups(b!, 'response', 'hit'), await lookups(b!, 'redis', 'hit')];

    const warm = await b!.client.execute(NAMES);

    expect(warm.data).toEqual(cold.data);
    expect(fixture.calls()).toBe(0);
    expect((await lookups(b!, 'response', 'hit')) - responseHits).toBe(1);
    expect((await lookups(b!, 'redis', 'hit')) - redisHits).toBe(1);
  });

  it('when B asks another selection of the list A fetched, then B builds it from the shared upstream answers with 0 upstream calls', async () => {
    const [a, b] = await startFleet(2);
    const names = await a!.client.execute<{ models: { edges: Array<{ node: { id: string; name: string } }> } }, never>(NAMES);
    expect(names.errors).toBeUndefined();
    expect(fixture.calls()).toBeGreaterThan(0);
    await writesSettled();
    fixture.resetLog();
    const [responseMisses, localMisses, redisHits] = [await lookups(b!, 'response', 'miss'), await lookups(b!, 'local', 'miss'), await lookups(b!, 'redis', 'hit')];

    const types = await b!.client.execute<{ models: { edges: Array<{ node: { id: string; type: string; nsfw: boolean } }> } }, never>(TYPES);

    expect(types.errors).toBeUndefined();
    expect(types.data!.models.edges.map((e) => e.node.id)).toEqual(names.data!.models.edges.map((e) => e.node.id));
    expect(fixture.calls()).toBe(0);
    // the whole result was new to B; the upstream answers came from Redis into B's LRU
    expect((await lookups(b!, 'response', 'miss')) - responseMisses).toBe(1);
    expect((await lookups(b!, 'local', 'miss')) - localMisses).toBeGreaterThan(0);
    expect((await lookups(b!, 'redis', 'hit')) - redisHits).toBeGreaterThan(0);

    // and B's own LRU now holds them: another document over the same list does not consult Redis
    const redisLookups = (await lookups(b!, 'redis', 'hit')) + (await lookups(b!, 'redis', 'miss'));
    const again = await b!.client.execute<{ models: unknown }, never>(`query Again ${TYPES}`);
    expect(again.data).toEqual(types.data);
    expect(fixture.calls()).toBe(0);
    // one lookup: the whole result of the new document
    expect((await lookups(b!, 'redis', 'hit')) + (await lookups(b!, 'redis', 'miss')) - redisLookups).toBe(1);
  });

  it('when the answer belongs to a credential, then another credential on another replica does not get it', async () => {
    const [a, b] = await startFleet(2);
    const key = Object.keys(fixture.apiKeys ?? {})[0];
    const withKey = key ? { authorization: `Bearer ${key}` } : { authorization: 'Bearer some-client-key-123' };
    expect((await a!.client.execute(TYPES, undefined, withKey)).errors).toBeUndefined();
    await writesSettled();
    fixture.resetLog();

    const anonymous = await b!.client.execute(TYPES);

    expect(anonymous.errors).toBeUndefined();
    expect(fixture.calls()).toBeGreaterThan(0);
  });

  it('when a cursor comes from replica A, then replica B (same CURSOR_SECRET) continues the list from it', async () => {
    const [a, b] = await startFleet(2);
    const page = 'query P($after: String) { models(first: 5, after: $after, sort: NEWEST) { pageInfo { endCursor hasNextPage } edges { node { id } } } }';
    type Page = { models: { pageInfo: { endCursor: string; hasNextPage: boolean }; edges: Array<{ node: { id: string } }> } };
    const first = await a!.client.execute<Page, { after?: string }>(page, {});
    expect(first.data!.models.pageInfo.hasNextPage).toBe(true);
    const after = first.data!.models.pageInfo.endCursor;

    const [onA, onB] = await Promise.all([a!.client.execute<Page, { after?: string }>(page, { after }), b!.client.execute<Page, { after?: string }>(page, { after })]);

    expect(onB.errors).toBeUndefined();
    expect(onB.data).toEqual(onA.data);
    expect(onB.data!.models.edges).toHaveLength(5);
    expect(onB.data!.models.edges.map((e) => e.node.id)).not.toContain(first.data!.models.edges[0]!.node.id);
  });

  it('when two cold replicas ask the same thing at the same moment, then the fleet pays the upstream calls of one replica (fleet single-flight)', async () => {
    const [a, b] = await startFleet(2);
    fixture.setLatency(200);
    const single = await a!.client.execute('{ models(first: 4, sort: MOST_DOWNLOADED) { edges { node { id } } } }');
    expect(single.errors).toBeUndefined();
    const one = fixture.calls();
    fixture.resetLog();

    const both = await Promise.all([a, b].map((r) => r!.client.execute('{ models(first: 4, sort: NEWEST) { edges { node { id name } } } }')));

    expect(both.map((r) => r.errors)).toEqual([undefined, undefined]);
    expect(both[0]!.data).toEqual(both[1]!.data);
    // both miss every tier while the first is still waiting upstream; the second waits for its answer
    expect(fixture.calls()).toBe(one);
  });

  it('when Redis is killed mid-run, then both replicas keep answering; once it is back, B again answers what A fetched with 0 upstream calls', async () => {
    const [a, b] = await startFleet(2);
    const ask = (r: Replica, sort: string, first: number) => r.client.execute(`{ models(first: ${first}, sort: ${sort}) { edges { node { id name } } } }`);
    expect((await ask(a!, 'MOST_DOWNLOADED', 3)).errors).toBeUndefined();

    await redis.kill();
    for (const r of [a!, b!]) await expect.poll(() => r.server.scale.redis!.state(), { timeout: 3_000 }).toBe('down');
    const during = await Promise.all([ask(a!, 'NEWEST', 6), ask(b!, 'NEWEST', 7), ask(b!, 'MOST_DOWNLOADED', 3)]);
    expect(during.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    expect(during.every((r) => r.status === 200)).toBe(true);

    await redis.restart();
    for (const r of [a!, b!]) expect(await r.server.scale.redis!.ready(10_000)).toBe(true);
    const cold = await ask(a!, 'HIGHEST_RATED', 9);
    expect(cold.errors).toBeUndefined();
    await writesSettled();
    fixture.resetLog();
    const warm = await ask(b!, 'HIGHEST_RATED', 9);
    expect(warm.data).toEqual(cold.data);
    expect(fixture.calls()).toBe(0);
  }, 40_000);

  it('when Redis stops answering (paused), then both replicas still answer, each Redis step giving up after REDIS_TIMEOUT_MS', async () => {
    const [a, b] = await startFleet(2, { REDIS_TIMEOUT_MS: '100' });
    redis.pause();
    try {
      const answers = await Promise.all([a, b].map((r, i) => r!.client.execute(`{ models(first: ${3 + i}, sort: NEWEST) { edges { node { id } } } }`)));
      expect(answers.map((r) => r.errors)).toEqual([undefined, undefined]);
      expect(answers.map((r) => r.data)).toEqual([expect.anything(), expect.anything()]);
      expect(await lookups(a!, 'redis', 'error')).toBeGreaterThan(0);
    } finally {
      redis.resume();
    }
  }, 30_000);
});
