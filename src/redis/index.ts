/**
 * Scale-out pieces of one replica, built from the configuration: without `REDIS_URL` there is no
 * Redis connection and no shared tier, and the upstream gate counts in memory (or is open when
 * `UPSTREAM_RATE_LIMIT` is 0). createServer owns the result and closes it last.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createClientBudget, type ClientBudget } from './client-budget.js';
import { createRedisConnection, type RedisConnection } from './connection.js';
import { createRedisFleetFlight, type RedisFleetFlight } from './flight.js';
import { createUpstreamGate, type UpstreamGate } from './rate-limit.js';
import { createRedisTier, type SharedTier } from './tier.js';

export interface ScaleOut {
  readonly redis: RedisConnection | undefined;
  /** The shared cache tier, to be placed under the in-process LRU; undefined without Redis. */
  readonly tier: SharedTier | undefined;
  readonly gate: UpstreamGate;
  /** Fleet single-flight of cold upstream calls; undefined without Redis or with FLEET_LEASE_MS=0. */
  readonly flight: RedisFleetFlight | undefined;
  /** Planned upstream calls per client per minute; undefined with CLIENT_CALLS_PER_MINUTE=0. */
  readonly clientBudget: ClientBudget | undefined;
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
  const flight = redis && config.fleetLeaseMs > 0 ? createRedisFleetFlight(redis, { leaseMs: config.fleetLeaseMs, prefix: config.redis.prefix }) : undefined;
  return {
    redis,
    tier,
    gate,
    flight,
    clientBudget: createClientBudget(config.clientCallsPerMinute, redis),
    close: async () => {
      await flight?.close();
      await redis?.close();
    },
  };
}
