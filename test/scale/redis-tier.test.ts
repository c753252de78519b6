import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection, reconnectDelayMs, SILENT_DEADLINES, type RedisConnection } from '../../src/redis/connection.js';
import { createRedisTier, decodeValue, encodeValue, tierKey, type TierOutcome } from '../../src/redis/tier.js';
import { manualClock, tracked, turn } from '../helpers/manual-clock.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const PREFIX = 'test-tier:';
let redis: TestRedis;
let connection: RedisConnection;
const outcomes: TierOutcome[] = [];

beforeAll(async () => {
  redis = await startRedis();
  // These tests are about behaviour, not speed: the deadline runs on a clock nobody moves, so a
  // busy machine never turns a late answer into a miss; the deadline itself is tested with
  // connections of their own whose clock the test moves.
  connection = createRedisConnection({ url: redis.url, prefix: PREFIX, timeoutMs: 1_000, clock: manualClock() });
  expect(await connection.ready(5_000)).toBe(true);
});
afterAll(async () => {
  await connection?.close();
  await redis?.stop();
});

describe('the shared Redis tier', () => {
  it('when a string and a Buffer are stored, then each comes back with its type, under the prefix, with the TTL', async () => {
    const tier = createRedisTier(connection);
    const bytes = Buffer.from([0, 1, 2, 255]);
    await tier.set('cred:abc|/models?limit=1', '{"items":[]}', 60_000);
    await tier.set('bytes', bytes, 60_000);

    expect(await tier.get('cred:abc|/models?limit=1')).toBe('{"items":[]}');
    expect(await tier.get('bytes')).toEqual(bytes);
    expect(await tier.get('absent')).toBeUndefined();
    const entry = await tier.entry('bytes');
    expect(entry?.value).toEqual(bytes);
    expect(entry?.ttlMs).toBeGreaterThan(50_000);
    expect(entry?.ttlMs).toBeLessThanOrEqual(60_000);
    expect(await tier.entry('absent')).toBeUndefined();
    // keyPrefix is applied by the client: every raw key in Redis starts with REDIS_PREFIX
    const raw = new Redis(redis.url);
    try {
      const keys = await raw.keys('*');
      expect(keys).toContain(`${PREFIX}${tierKey('bytes')}`);
      expect(keys.every((k) => k.startsWith(PREFIX))).toBe(true);
    } finally {
      raw.disconnect();
    }
  });

  it('when a value is large, then it is stored compressed and read back whole', async () => {
    const tier = createRedisTier(connection, { compressAboveBytes: 1024 });
    const large = JSON.stringify(Array.from({ length: 2_000 }, (_, i) => ({ id: i, name: `model ${i}`, nsfw: false })));
    await tier.set('large', large, 60_000);

    const stored = await connection.client.getBuffer(tierKey('large'));
    expect(stored).not.toBeNull();
    expect(stored!.length).toBeLessThan(large.length / 4);
    expect(await tier.get('large')).toBe(large);
  });

  it('when a key is very long, then it is hashed into a bounded key', () => {
    const key = tierKey('x'.repeat(10_000));
    expect(key.length).toBeLessThan(60);
    expect(tierKey('x'.repeat(10_000))).toBe(key);
    expect(tierKey('y'.repeat(10_000))).not.toBe(key);
  });

  it('when a value is encoded, then decoding gives it back, compressed or not', async () => {
    for (const value of ['', 'short', 'é'.repeat(5_000), Buffer.alloc(3_000, 7)]) {
      expect(await decodeValue(await encodeValue(value, 1024))).toEqual(value);
    }
    expect(await decodeValue(Buffer.of(9, 1, 2))).toBeUndefined();
  });

  it('when a value is larger than the bound once compressed, then it is not stored', async () => {
    const tier = createRedisTier(connection, { maxValueBytes: 100, compressAboveBytes: 10_000 });
    await tier.set('too-big', 'z'.repeat(500), 60_000);
    expect(await connection.client.exists(tierKey('too-big'))).toBe(0);
  });

  it('when Redis stops answering (slow), then a read misses and a write gives up at the deadline, not before and without waiting for Redis', async () => {
    const clock = manualClock(Date.now());
    const fast = createRedisConnection({ url: redis.url, prefix: PREFIX, timeoutMs: 50, clock });
    try {
      expect(await fast.ready(5_000)).toBe(true);
      const tier = createRedisTier(fast);
      await createRedisTier(connection).set('slow', 'value', 60_000);
      redis.pause();
      try {
        const read = tracked(tier.get('slow'));
        const write = tracked(tier.set('slow-2', 'value', 60_000));
        await turn();
        expect(clock.pending).toBe(2);
        clock.advance(49);
        await turn();
        expect([read.settled, write.settled]).toEqual([false, false]);
        clock.advance(1);
        await turn();
        expect([read.settled, write.settled]).toEqual([true, true]);
        expect(await read.promise).toBeUndefined();
      } finally {
        redis.resume();
      }
      expect(await createRedisTier(connection).get('slow')).toBe('value');
    } finally {
      await fast.close();
    }
  });

  it('when Redis has been silent for several deadlines, then reads skip it for a while instead of each waiting, and use it again after', async () => {
    const clock = manualClock(Date.now());
    const fast = createRedisConnection({ url: redis.url, prefix: PREFIX, timeoutMs: 50, clock });
    try {
      expect(await fast.ready(5_000)).toBe(true);
      let sent = 0;
      const ping = () => tracked(fast.attempt((client) => (sent++, client.ping())));
      redis.pause();
      try {
        // each ping waits one 50 ms deadline; by the third, Redis has been silent for over two
        for (let i = 0; i < SILENT_DEADLINES + 3; i++) {
          const pinged = ping();
          await turn();
          if (!pinged.settled) clock.advance(50);
          expect(await pinged.promise).toBeUndefined();
        }
        expect(sent).toBe(SILENT_DEADLINES + 1);
        expect(clock.pending).toBe(0);
      } finally {
        redis.resume();
      }
      // still within the skip window: skipped without asking Redis
      expect(await ping().promise).toBeUndefined();
      expect(sent).toBe(SILENT_DEADLINES + 1);
      // past it (at most 2 s): Redis is asked again and answers
      clock.advance(2_000);
      expect(await ping().promise).toBe('PONG');
      expect(sent).toBe(SILENT_DEADLINES + 2);
    } finally {
      await fast.close();
    }
  });

  it('when Redis is full and refuses writes, then a write is a no-op and reads still work', async () => {
    const tier = createRedisTier(connection);
    await tier.set('before-full', 'kept', 60_000);
    const raw = new Redis(redis.url);
    try {
      await raw.config('SET', 'maxmemory-policy', 'noeviction');
      await raw.config('SET', 'maxmemory', '1');
      await expect(raw.set('probe', 'x')).rejects.toThrow(/OOM/);

      await tier.set('while-full', 'lost', 60_000);
      expect(await tier.get('while-full')).toBeUndefined();
      expect(await tier.get('before-full')).toBe('kept');
    } finally {
      await raw.config('SET', 'maxmemory', '0');
      raw.disconnect();
    }
  });

  it('when Redis is killed, then reads miss and writes are no-ops within the deadline; when it is back, the tier is used again', async () => {
    const tier = createRedisTier(connection, { onLookup: (o) => outcomes.push(o) });
    await tier.set('k', 'before', 60_000);
    expect(await tier.get('k')).toBe('before');

    await redis.kill();
    // The connection's deadline clock never moves: these settle because a dead Redis fails them
    // at once, not because a deadline passed (and a wait for the reconnection would never end).
    expect(await tier.get('k')).toBeUndefined();
    await tier.set('k2', 'during', 60_000);
    await expect.poll(() => connection.state(), { timeout: 2_000 }).toBe('down');

    await redis.restart();
    expect(await connection.ready(10_000)).toBe(true);
    expect(connection.state()).toBe('up');
    // a fresh Redis has no data: miss, then a set/get round trip works again
    expect(await tier.get('k')).toBeUndefined();
    await tier.set('k', 'after', 60_000);
    expect(await tier.get('k')).toBe('after');
    expect(outcomes).toEqual(['hit', 'error', 'miss', 'hit']);
  }, 30_000);

  it('when reconnecting, then the delay grows and stays capped', () => {
    expect(reconnectDelayMs(1)).toBe(100);
    expect(reconnectDelayMs(3)).toBe(400);
    expect(reconnectDelayMs(100)).toBe(2_000);
  });
});
