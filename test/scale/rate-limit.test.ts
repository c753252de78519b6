import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisConnection, type RedisConnection } from '../../src/redis/connection.js';
import { createUpstreamGate, RateLimitedError, type GateWait, type UpstreamGate } from '../../src/redis/rate-limit.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let a: RedisConnection;
let b: RedisConnection;
let fp = 0;
let fingerprint: string;

beforeAll(async () => {
  redis = await startRedis();
  // two replicas: two clients of one Redis; a deadline long enough that a busy machine never
  // sends the count to the in-memory insurance (that fallback is tested with Redis killed)
  a = createRedisConnection({ url: redis.url, prefix: 'rl-test:', timeoutMs: 1_000 });
  b = createRedisConnection({ url: redis.url, prefix: 'rl-test:', timeoutMs: 1_000 });
  expect(await a.ready(5_000)).toBe(true);
  expect(await b.ready(5_000)).toBe(true);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
});
beforeEach(() => {
  fingerprint = `cred-${++fp}`;
});

async function outcomes(gates: UpstreamGate[], calls: number, maxWaitMs = 0): Promise<{ ok: number; refused: RateLimitedError[] }> {
  const results = await Promise.allSettled(Array.from({ length: calls }, (_, i) => gates[i % gates.length]!.acquire(fingerprint, maxWaitMs)));
  const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as RateLimitedError] : []));
  return { ok: results.length - refused.length, refused };
}

describe('the fleet-wide upstream budget', () => {
  it('when two replicas share one Redis, then together they get the budget once per second, and the rest are refused with retryAfter', async () => {
    const gates = [createUpstreamGate({ limit: 5, connection: a }), createUpstreamGate({ limit: 5, connection: b })];

    const { ok, refused } = await outcomes(gates, 12);

    expect(ok).toBe(5);
    expect(refused).toHaveLength(7);
    for (const error of refused) {
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error.reason).toBe('budget');
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(1_000);
    }
  });

  it('when over budget with time to spare, then the call waits for the next window instead of failing', async () => {
    const waits: GateWait[] = [];
    const gate = createUpstreamGate({ limit: 2, connection: a, onWait: (w) => waits.push(w) });
    const other = createUpstreamGate({ limit: 2, connection: b });
    await other.acquire(fingerprint, 0);
    await other.acquire(fingerprint, 0);

    await gate.acquire(fingerprint, 2_500);

    expect(waits).toEqual(['waited']);
    // a different credential has its own budget
    await gate.acquire(`${fingerprint}-other`, 0);
  });

  it('when there is no Redis, then one replica keeps the budget in memory', async () => {
    const gate = createUpstreamGate({ limit: 3 });
    const { ok, refused } = await outcomes([gate], 5);
    expect(ok).toBe(3);
    expect(refused.map((e) => e.reason)).toEqual(['budget', 'budget']);
  });

  it('when the limit is off, then nothing waits', async () => {
    const gate = createUpstreamGate({ limit: 0, connection: a });
    const { ok } = await outcomes([gate], 50);
    expect(ok).toBe(50);
  });

  it('when one replica holds off a credential after a 429, then the other sees it, refuses or waits, and other credentials pass', async () => {
    const first = createUpstreamGate({ limit: 0, connection: a });
    const waits: GateWait[] = [];
    const second = createUpstreamGate({ limit: 0, connection: b, onWait: (w) => waits.push(w) });

    first.holdOff(fingerprint, 400);
    await expect.poll(() => second.heldUntil(fingerprint)).toBeGreaterThan(Date.now());

    const refused = await second.acquire(fingerprint, 0).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).reason).toBe('hold-off');
    expect((refused as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect((refused as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(400);
    await second.acquire(`${fingerprint}-other`, 0);

    await second.acquire(fingerprint, 2_000);
    expect(waits).toEqual(['rejected', 'waited']);
    expect(await second.heldUntil(fingerprint)).toBeLessThanOrEqual(Date.now());
  });

  it('when Redis is killed, then calls are still counted (in memory) within the deadline, and shared again once it is back', async () => {
    const gates = [createUpstreamGate({ limit: 4, connection: a }), createUpstreamGate({ limit: 4, connection: b })];
    await redis.kill();
    await expect.poll(() => a.state(), { timeout: 2_000 }).toBe('down');

    const down = await outcomes(gates, 12);
    // each replica counts alone: 4 each
    expect(down.ok).toBe(8);

    await redis.restart();
    expect(await a.ready(10_000)).toBe(true);
    expect(await b.ready(10_000)).toBe(true);
    fingerprint = `${fingerprint}-after`;
    const up = await outcomes(gates, 12);
    expect(up.ok).toBe(4);
  }, 30_000);
});
