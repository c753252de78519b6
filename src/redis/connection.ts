/**
 * The one Redis connection of a replica (docs/operations.md, "Running several replicas"). Redis is an
 * optimisation, never a dependency of a query: every operation goes through `attempt`, which
 * races it against `REDIS_TIMEOUT_MS` and turns a timeout, an error or a connection that is not
 * ready into `undefined` (a miss, a no-op) without throwing. The client reconnects by itself with
 * a capped back-off, and with the offline queue off a command sent while Redis is down fails at
 * once instead of waiting for the reconnection. All keys live under `REDIS_PREFIX`.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export type RedisState = 'up' | 'down';

export interface RedisConnection {
  /** The raw client, for libraries that take an ioredis instance (the rate limiter). */
  readonly client: Redis;
  readonly timeoutMs: number;
  state(): RedisState;
  /**
   * Runs `op` within the deadline; `undefined` when Redis is down, slow or answers an error.
   * A 'write' nobody waits for is sent even while reads skip a slow Redis (see below).
   */
  attempt<T>(op: (client: Redis) => Promise<T>, kind?: 'read' | 'write'): Promise<T | undefined>;
  /** Resolves once the connection is ready (tests, start-up logs); false after `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  url: string;
  prefix: string;
  timeoutMs: number;
  logger?: Logger;
  onStateChange?: (state: RedisState) => void;
  /** The time of `attempt`'s deadlines and of the silence it measures; tests move a manual one. */
  clock?: DeadlineClock;
}

export interface DeadlineClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const systemClock: DeadlineClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** Reconnect after 50 ms, doubling up to 2 s, forever: a replica must find Redis again by itself. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), 2_000);
}

/** Deadlines without any reply from Redis after which reads skip it for a while. */
export const SILENT_DEADLINES = 2;

/** The ioredis client: reconnects by itself, fails commands at once while disconnected. */
function redisClient(options: RedisConnectionOptions): Redis {
  return new Redis(options.url, {
    keyPrefix: options.prefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: reconnectDelayMs,
    connectTimeout: Math.max(1_000, options.timeoutMs * 20),
    // Bounds what a stalled Redis can pile up; callers stopped waiting long before.
    commandTimeout: Math.max(1_000, options.timeoutMs * 20),
    lazyConnect: false,
  });
}

/** Logs and reports the connection going up and down. */
function watchState(client: Redis, { logger, onStateChange }: RedisConnectionOptions): void {
  let state: RedisState = 'down';
  const setState = (next: RedisState) => {
    if (next === state) return;
    state = next;
    if (next === 'up') logger?.info('redis is up');
    else logger?.warn('redis is down; serving from the local cache and the upstream');
    onStateChange?.(next);
  };
  // The first failure to connect is worth one warning; later outages are logged by setState.
  let warned = false;
  client.on('ready', () => {
    warned = true;
    setState('up');
  });
  client.on('close', () => setState('down'));
  client.on('end', () => setState('down'));
  // Without a listener ioredis prints every failed reconnection (the message names host and port,
  // never the URL's password).
  client.on('error', (error: Error) => {
    if (state === 'down' && !warned) {
      warned = true;
      logger?.warn('redis is unreachable; serving from the local cache and the upstream until it is back', { error: error.message });
    } else logger?.debug('redis error', { error: error.message });
  });
}

/**
 * `attempt` with its deadline. A Redis that stops answering (paused, hung) keeps its connection
 * 'ready': when a read misses its deadline and no reply at all has come back for
 * `SILENT_DEADLINES` deadlines, the next reads skip Redis for a short while instead of each
 * waiting the deadline again. A Redis that is only late (a busy machine) keeps replying, late,
 * and is never skipped: skipping costs upstream calls (measured: BENCHMARKS.md, "Replicas").
 */
function deadlineAttempt(client: Redis, timeoutMs: number, clock: DeadlineClock): RedisConnection['attempt'] {
  const skipAfterTimeoutMs = Math.min(2_000, Math.max(100, timeoutMs * 10));
  let lastReplyAt = clock.now();
  let skipUntil = 0;
  client.on('ready', () => {
    lastReplyAt = clock.now();
    skipUntil = 0;
  });
  return async <T>(op: (c: Redis) => Promise<T>, kind: 'read' | 'write' = 'read'): Promise<T | undefined> => {
    if (client.status !== 'ready' || (kind === 'read' && clock.now() < skipUntil)) return undefined;
    let timer: unknown;
    const timedOut = Symbol('timed out');
    const deadline = new Promise<typeof timedOut>((resolve) => {
      // setImmediate: when the event loop was busy past the deadline, a reply already waiting
      // on the socket is read first (poll phase) rather than counted as a timeout.
      timer = clock.setTimeout(() => setImmediate(resolve, timedOut), timeoutMs);
    });
    const replied = () => {
      lastReplyAt = clock.now();
    };
    const work = op(client).then(
      (value) => (replied(), value),
      () => (replied(), undefined),
    );
    try {
      const result = await Promise.race([work, deadline]);
      if (result !== timedOut) return result;
      if (kind === 'read' && clock.now() - lastReplyAt > SILENT_DEADLINES * timeoutMs) skipUntil = clock.now() + skipAfterTimeoutMs;
      return undefined;
    } finally {
      clock.clearTimeout(timer);
    }
  };
}

/** Resolves true once `client` is ready, false after `timeoutMs`. */
function whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}

export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const client = redisClient(options);
  watchState(client, options);
  return {
    client,
    timeoutMs: options.timeoutMs,
    state: () => (client.status === 'ready' ? 'up' : 'down'),
    attempt: deadlineAttempt(client, options.timeoutMs, options.clock ?? systemClock),
    ready: (timeoutMs) => whenReady(client, timeoutMs),
    async close() {
      if (client.status === 'end') return;
      await client.quit().catch(() => client.disconnect());
    },
  };
}
