/**
 * Single-flight across the fleet: replicas over one fixture upstream (600 ms latency) and one
 * real Redis ask for the same cold answer at the same moment; one replica fetches it, the others
 * are told over pub/sub and share its answer. A holder that dies mid-fetch or a Redis that stops
 * answering costs a bounded wait, never a stall.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureUpstream, type FixtureUpstream } from '../../fixture/index.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startReplicas, type Replica } from '../helpers/fleet.js';

const LATENCY = 600;
const LEASE = 500;
const CURSOR_SECRET = 'replicas-share-this-cursor-secret-0123456789';
let redis: TestRedis;
let fixture: FixtureUpstream;
let fleet: Replica[] = [];

beforeAll(async () => {
  redis = await startRedis();
  fixture = await createFixtureUpstream();
});
afterEach(async () => {
  redis.resume();
  await Promise.all(fleet.map((r) => r.server.close()));
  fleet = [];
  fixture.setLatency(0);
  fixture.resetLog();
});
afterAll(async () => {
  await fixture?.close();
  await redis?.stop();
});

async function startFleet(n: number, env: Record<string, string> = {}): Promise<Replica[]> {
  // Whole results are cached too; each query below is new to the fleet, so only the call is shared.
  fleet = await startReplicas(n, fixture.url, redis.url, { CURSOR_SECRET, FLEET_LEASE_MS: String(LEASE), ...env });
  fixture.resetLog();
  fixture.setLatency(LATENCY);
  return fleet;
}

let queries = 0;
/** A query no replica has seen: one upstream call. */
const freshQuery = () => `{ models(first: ${++queries}, sort: NEWEST) { edges { node { id name } } } }`;

const timed = async <T>(work: Promise<T>) => {
  const start = Date.now();
  const value = await work;
  return { value, ms: Date.now() - start };
};

describe('single-flight across the fleet', () => {
  it.each([2, 3])('when %i replicas are asked the same cold query at once, then the upstream is called once and all answer alike', async (n) => {
    const replicas = await startFleet(n);
    const query = freshQuery();

    const answers = await Promise.all(replicas.map((r) => r.client.execute(query)));

    expect(fixture.calls()).toBe(1);
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual(answers[0]!.data);
    }
    expect((answers[0]!.data as { models: { edges: unknown[] } }).models.edges.length).toBeGreaterThan(0);
  }, 30_000);

  it('when the lease holder dies mid-fetch, then the others answer within a lease and one upstream time, with one more call', async () => {
    const [holder, b, c] = await startFleet(3);
    const query = freshQuery();
    const first = holder!.client.execute(query);
    await expect.poll(() => fixture.calls(), { interval: 10 }).toBe(1);
    const others = [b!, c!].map((r) => timed(r.client.execute(query)));
    await new Promise((resolve) => setTimeout(resolve, 100));

    // "Killed": from Redis's side the holder is gone (no renewal, no answer handed over).
    await holder!.server.scale.flight!.close();
    holder!.server.scale.redis!.client.disconnect();

    const answered = await Promise.all(others);
    for (const { value, ms } of answered) {
      expect(value.errors).toBeUndefined();
      // waited for the holder's lease to run out, then one of them fetched: LEASE + LATENCY, plus a machine's slack
      expect(ms).toBeLessThan(100 + LEASE + LATENCY + 1_500);
    }
    expect(answered[0]!.value.data).toEqual(answered[1]!.value.data);
    expect(fixture.calls()).toBe(2);
    expect((await first).errors).toBeUndefined();
  }, 30_000);

  it('when Redis stops answering, then each replica fetches for itself within REDIS_TIMEOUT_MS plus the upstream time', async () => {
    const replicas = await startFleet(2, { REDIS_TIMEOUT_MS: '200' });
    redis.pause();
    const query = freshQuery();

    const answered = await Promise.all(replicas.map((r) => timed(r.client.execute(query))));

    for (const { value, ms } of answered) {
      expect(value.errors).toBeUndefined();
      // a few Redis deadlines (whole-result cache, tier, lease) at most, then the upstream
      expect(ms).toBeLessThan(4 * 200 + LATENCY + 1_500);
    }
    expect(fixture.calls()).toBe(2);
  }, 30_000);
});
