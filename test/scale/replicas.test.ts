/**
 * Three replicas in one process, one fixture upstream, one real Redis on 127.0.0.1: what the
 * fleet shares (the upstream budget, a 429 hold-off) and what happens when Redis dies mid-run.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureUpstream, type FixtureUpstream } from '../../fixture/index.js';
import { codes, type GraphQLResponse } from '../helpers/execute.js';
import { metricValue, scrape } from '../helpers/prometheus.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { allModelIds } from '../helpers/upstream.js';
import { startReplicas, type Replica } from '../helpers/fleet.js';


let redis: TestRedis;
let fixture: FixtureUpstream;
let fleet: Replica[] = [];
let visible: number[];

beforeAll(async () => {
  redis = await startRedis();
  fixture = await createFixtureUpstream();
  visible = await allModelIds(fixture);
});
afterEach(async () => {
  await Promise.all(fleet.map((r) => r.server.close()));
  fleet = [];
  fixture.clearFaults();
  fixture.resetLog();
});
afterAll(async () => {
  await fixture?.close();
  await redis?.stop();
});

async function startFleet(n: number, env: Record<string, string> = {}): Promise<Replica[]> {
  fleet = await startReplicas(n, fixture.url, redis.url, { ...env });
  return fleet;
}

const MODEL = 'query M($id: Int!) { model(id: $id) { id name } }';
const modelIds = () => visible;

describe('the fleet', () => {
  it('when three replicas share UPSTREAM_RATE_LIMIT, then Civitai never sees more than the budget, and an over-budget call waits or fails as UPSTREAM_RATE_LIMITED with retryAfter', async () => {
    const limit = 4;
    const replicas = await startFleet(3, { UPSTREAM_RATE_LIMIT: String(limit), UPSTREAM_RETRY_BUDGET_MS: '2500' });
    const ids = modelIds().slice(0, 18);

    const results = await Promise.all(ids.map((id, i) => replicas[i % 3]!.client.execute(MODEL, { id })));

    const times = fixture.log.map((e) => e.at).sort((a, b) => a - b);
    expect(times.length).toBeGreaterThan(0);
    // fixed one-second windows: any sliding second holds at most two windows' worth
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(2 * limit);
    const spanSeconds = Math.ceil((times.at(-1)! - times[0]!) / 1_000);
    expect(times.length).toBeLessThanOrEqual(limit * (spanSeconds + 1));

    const ok = results.filter((r) => !r.errors);
    const limited = results.filter((r) => r.errors);
    expect(ok.length).toBeGreaterThanOrEqual(limit);
    for (const r of ok) expect((r.data as { model: { id: string } }).model.id).toEqual(expect.any(String));
    for (const r of limited) {
      expect(codes(r)).toEqual(['UPSTREAM_RATE_LIMITED']);
      expect(r.errors![0]!.extensions!.retryAfter).toBeGreaterThanOrEqual(1);
    }
    const waits = await Promise.all(replicas.map(async (r) => metricValue(await scrape(r.url), 'cgql_rate_limit_waits_total')));
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 30_000);

  it('when Civitai answers one replica 429 with Retry-After, then the other replicas hold off that credential without calling, and resume after it', async () => {
    const [a, b, c] = await startFleet(3, { UPSTREAM_RETRY_BUDGET_MS: '500', UPSTREAM_MAX_ATTEMPTS: '2' });
    const [first, second, third] = modelIds();
    fixture.inject({ fault: { kind: 'status', status: 429, headers: { 'retry-after': '2' } }, route: 'models', times: 1 });

    const hit = await a!.client.execute(MODEL, { id: first });
    expect(codes(hit)).toEqual(['UPSTREAM_RATE_LIMITED']);
    expect(hit.errors![0]!.extensions!.retryAfter).toBe(2);
    const seenAfterA = fixture.log.length;
    expect(seenAfterA).toBe(1);

    const [fromB, fromC] = await Promise.all([b!.client.execute(MODEL, { id: second }), c!.client.execute(MODEL, { id: third })]);
    for (const r of [fromB, fromC]) {
      expect(codes(r)).toEqual(['UPSTREAM_RATE_LIMITED']);
      expect(r.errors![0]!.extensions!.retryAfter).toBeGreaterThanOrEqual(1);
    }
    expect(fixture.log.length).toBe(seenAfterA);

    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const later = await b!.client.execute(MODEL, { id: second });
    expect(later.errors).toBeUndefined();
    expect(fixture.log.length).toBe(seenAfterA + 1);
  }, 30_000);

  it('when Redis is killed mid-run, then every replica keeps answering and reports it down; when it is back, they report it up again', async () => {
    const replicas = await startFleet(3, { UPSTREAM_RATE_LIMIT: '1000' });
    const ids = modelIds();
    const round = async (offset: number): Promise<Array<GraphQLResponse<unknown>>> =>
      Promise.all(replicas.map((r, i) => r.client.execute(MODEL, { id: ids[offset + i]! })));

    expect((await round(0)).every((r) => !r.errors)).toBe(true);

    await redis.kill();
    for (const r of replicas) await expect.poll(() => r.server.scale.redis!.state(), { timeout: 3_000 }).toBe('down');
    const during = await round(3);
    expect(during.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    for (const r of replicas) {
      const ready = await fetch(new URL('/readyz', r.url));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, redis: 'down' });
      expect(metricValue(await scrape(r.url), 'cgql_redis_up')).toBe(0);
    }

    await redis.restart();
    for (const r of replicas) expect(await r.server.scale.redis!.ready(10_000)).toBe(true);
    expect((await round(6)).every((r) => !r.errors)).toBe(true);
    for (const r of replicas) {
      expect(await (await fetch(new URL('/readyz', r.url))).json()).toMatchObject({ redis: 'up' });
      expect(metricValue(await scrape(r.url), 'cgql_redis_up')).toBe(1);
    }
    // the shared tier is usable again from every replica
    await replicas[0]!.server.scale.tier!.set('probe', 'shared', 10_000);
    expect(await replicas[2]!.server.scale.tier!.get('probe')).toBe('shared');
  }, 40_000);
});
