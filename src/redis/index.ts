/**
 * Scale-out pieces of one replica, built from the configuration: without `REDIS_URL` there is no
 * Redis connection and no shared tier, and the upstream gate counts in memory (or is open when
 * `UPSTREAM_RATE_LIMIT` is 0). createServer owns the result and closes it last.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createRedisConnection, type RedisConnection } from './connection.js';
import { createUpstreamGate, type UpstreamGate } from './rate-limit.js';
import { createRedisTier, type SharedTier } from './tier.js';

export interface ScaleOut {
  readonly redis: RedisConnection | undefined;
  /** The shared cache tier, to be placed under the in-process LRU; undefined without Redis. */
  readonly tier: SharedTier | undefined;
  readonly gate: UpstreamGate;
  close(): Promise<void>;
}

export function createScaleOut(config: Config, deps: { logger?: Logger; metrics?: Metrics } = {}): ScaleOut {
  const { metrics } = deps;
  const redis = config.redis.url
    ? createRedisConnection({ url: config.redis.url, prefix: config.redis.prefix, timeoutMs: config.redis.timeoutMs, ...(deps.logger ? { logger: deps.logger } : {}) })
    : undefined;
  if (redis) metrics?.watchRedis(redis.state);
  const tier = redis ? createRedisTier(redis, { onLookup: (outcome) => metrics?.cacheLookup('redis', outcome) }) : undefined;
  const gate = createUpstreamGate({
    limit: config.upstreamRateLimit,
    connection: redis,
    onWait: (outcome, ms) => metrics?.rateLimitWait(outcome, ms),
  });
  return { redis, tier, gate, close: async () => redis?.close() };
}
