/**
 * Single-flight across the fleet (the fleet-flight stage, src/upstream/stages/fleet-flight.ts):
 * a cold answer asked at once on several replicas is fetched by one of them.
 *
 *   - The first replica takes a lease in Redis on the call's key (SET NX PX `leaseMs`, keys
 *     partitioned by credential like the cache), renews it every third of its life while it
 *     fetches, then stores the answer briefly and PUBLISHes "ok" (or "failed") on the key's channel.
 *   - The others are told by that message (one PSUBSCRIBE per replica, no polling), read the
 *     answer and share it. Every `leaseMs` without news they look once at the lease: gone (its
 *     holder died or stalled past its lease) and they take it over, one of them fetching.
 *   - Redis down, slow (`REDIS_TIMEOUT_MS`), or its subscriber connection lost: fetch at once.
 *     A waiter never waits past the bound it is given; then it fetches itself.
 *
 * So a stall is bounded by the holder's own upstream time, or `leaseMs` after a dead holder's
 * last renewal, plus Redis deadlines; never longer than the bound.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FleetFlight, Shared } from '../upstream/stages/fleet-flight.js';
import type { Delivery } from '../upstream/transport.js';
import type { RedisConnection } from './connection.js';

export interface FleetFlightOptions {
  /** Life of a lease without renewal (FLEET_LEASE_MS). */
  leaseMs: number;
  /** `REDIS_PREFIX`: channels are not keys, ioredis does not prefix them. */
  prefix: string;
  /** Answers larger than this (as JSON) are not handed over; the waiters fetch. */
  maxAnswerBytes?: number;
}

export interface RedisFleetFlight extends FleetFlight {
  close(): Promise<void>;
}

type News = 'ok' | 'failed' | 'check';

/** Renews the lease only while it is still ours. */
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

interface Wire {
  v: unknown;
  l: number;
  c: boolean;
}

/** One PSUBSCRIBE per replica: news about a key wakes the requests of this replica waiting on it. */
function createNotices(connection: RedisConnection, channelPrefix: string) {
  const waiters = new Map<string, Set<(news: News) => void>>();
  const tell = (id: string, news: News) => waiters.get(id)?.forEach((wake) => wake(news));
  const subscriber = connection.client.duplicate({ lazyConnect: false });
  subscriber.on('error', () => {}); // the main connection logs Redis trouble
  subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
    if (channel.startsWith(channelPrefix)) tell(channel.slice(channelPrefix.length), message === 'ok' ? 'ok' : 'failed');
  });
  // Without a subscription nobody would be told: every waiter looks for itself at once.
  subscriber.on('close', () => waiters.forEach((_, id) => tell(id, 'check')));
  void subscriber.psubscribe(`${channelPrefix}*`).catch(() => undefined);

  /** The next news about `id`, or 'check' after `ms`; listening starts at once. */
  function listen(id: string, ms: number): { news: Promise<News>; stop(): void } {
    const set = waiters.get(id) ?? new Set();
    waiters.set(id, set);
    let timer: NodeJS.Timeout | undefined;
    let done: (news: News) => void = () => {};
    const news = new Promise<News>((resolve) => {
      done = (value: News) => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && waiters.get(id) === set) waiters.delete(id);
        resolve(value);
      };
      timer = setTimeout(() => done('check'), Math.max(1, ms));
      set.add(done);
    });
    return { news, stop: () => done('check') };
  }

  return {
    listen,
    listening: () => subscriber.status === 'ready',
    close: () => subscriber.quit().then(() => undefined, () => subscriber.disconnect()),
  };
}

/** The lease and the handed-over answer of one key, in Redis. */
function createLeases(connection: RedisConnection, leaseMs: number, channelPrefix: string, maxAnswerBytes: number) {
  const keys = (id: string) => ({ lease: `fl:${id}`, answer: `fa:${id}`, channel: channelPrefix + id });
  const release = (id: string, token: string) => void connection.attempt((redis: Redis) => redis.eval(RELEASE, 1, keys(id).lease, token), 'write');

  /** One round trip: try to take the lease, and read an answer already handed over. */
  async function look(id: string, token: string): Promise<{ took: boolean; wire: Wire | undefined } | undefined> {
    const k = keys(id);
    const replies = await connection.attempt(async (redis: Redis) => redis.pipeline().set(k.lease, token, 'PX', leaseMs, 'NX').get(k.answer).exec());
    if (!replies || replies.some(([error]) => error)) return undefined;
    const raw = replies[1]?.[1];
    let wire: Wire | undefined;
    try {
      wire = typeof raw === 'string' ? (JSON.parse(raw) as Wire) : undefined;
    } catch {
      wire = undefined;
    }
    return { took: replies[0]?.[1] === 'OK', wire };
  }

  /** Stores the answer for the waiters (briefly), tells them, and gives the lease back. */
  function handOver(id: string, token: string, delivery: Delivery<unknown> | undefined): void {
    const k = keys(id);
    const text = delivery ? JSON.stringify({ v: delivery.value, l: delivery.jsonLength, c: delivery.cacheable } satisfies Wire) : undefined;
    const ok = text !== undefined && Buffer.byteLength(text) <= maxAnswerBytes;
    void connection.attempt((redis: Redis) => {
      const batch = redis.pipeline();
      if (ok) batch.set(k.answer, text, 'PX', leaseMs);
      return batch.publish(k.channel, ok ? 'ok' : 'failed').eval(RELEASE, 1, k.lease, token).exec();
    }, 'write');
  }

  /** Fetches under the lease, renewed every third of its life, then hands the answer over. */
  async function hold<T>(id: string, token: string, fetch: () => Promise<Delivery<T>>): Promise<Shared<T>> {
    const renew = setInterval(() => void connection.attempt((redis: Redis) => redis.eval(RENEW, 1, keys(id).lease, token, String(leaseMs)), 'write'), Math.max(10, Math.floor(leaseMs / 3)));
    renew.unref();
    try {
      const delivery = await fetch();
      handOver(id, token, delivery);
      return { delivery, shared: false };
    } catch (error) {
      handOver(id, token, undefined);
      throw error;
    } finally {
      clearInterval(renew);
    }
  }

  return { look, hold, release };
}

const fromWire = <T>(wire: Wire): Shared<T> => ({ delivery: { value: wire.v as T, jsonLength: wire.l, cacheable: wire.c }, shared: true });

export function createRedisFleetFlight(connection: RedisConnection, options: FleetFlightOptions): RedisFleetFlight {
  const { leaseMs } = options;
  const channelPrefix = `${options.prefix}fc:`;
  const notices = createNotices(connection, channelPrefix);
  const leases = createLeases(connection, leaseMs, channelPrefix, options.maxAnswerBytes ?? 1024 * 1024);

  async function share<T>(key: string, maxWaitMs: number, fetch: () => Promise<Delivery<T>>): Promise<Shared<T>> {
    const own = async (): Promise<Shared<T>> => ({ delivery: await fetch(), shared: false });
    if (connection.state() !== 'up' || !notices.listening()) return own();
    const id = createHash('sha256').update(key).digest('base64url');
    const token = randomBytes(12).toString('base64url');
    const until = Date.now() + maxWaitMs;
    for (;;) {
      // Listen before looking: an answer handed over between the look and the wait is not missed.
      const listener = notices.listen(id, Math.min(leaseMs, until - Date.now()));
      const seen = await leases.look(id, token);
      const giveUp = !seen || !notices.listening() || Date.now() >= until;
      if (seen?.wire || seen?.took || giveUp) listener.stop();
      if (seen?.wire) {
        if (seen.took) leases.release(id, token);
        return fromWire<T>(seen.wire);
      }
      if (seen?.took) return leases.hold(id, token, fetch);
      if (giveUp) return own();
      if ((await listener.news) === 'failed') return own();
    }
  }

  return { share, close: notices.close };
}
