/**
 * A budget of planned upstream calls per client per minute (CLIENT_CALLS_PER_MINUTE), counted
 * for the whole fleet in Redis by rate-limiter-flexible (fixed one-minute windows, atomic Lua);
 * without Redis, or when Redis is down or slower than REDIS_TIMEOUT_MS, in this process's memory
 * (then each replica counts alone until Redis is back; nothing stalls). A request is charged its
 * whole plan before it runs (src/plugins/useClientBudget.ts), so one greedy client cannot spend
 * the fleet's upstream budget.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import type { RedisConnection } from './connection.js';

export interface ClientBudget {
  readonly perMinute: number;
  /** Charges `points` planned calls to `client`; the wait before it may try again when refused. */
  take(client: string, points: number): Promise<{ retryAfterMs: number } | undefined>;
}

const WINDOW_SECONDS = 60;

export function createClientBudget(perMinute: number, connection: RedisConnection | undefined): ClientBudget | undefined {
  if (!(perMinute > 0)) return undefined;
  const options = { keyPrefix: 'cb', points: perMinute, duration: WINDOW_SECONDS };
  const memory = new RateLimiterMemory(options);
  const limiter = connection
    ? new RLWrapperTimeouts({
        limiter: new RateLimiterRedis({ ...options, storeClient: connection.client, rejectIfRedisNotReady: true, insuranceLimiter: memory }),
        timeoutMs: connection.timeoutMs,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    perMinute,
    async take(client, points) {
      if (points <= 0) return undefined;
      try {
        await limiter.consume(client, points);
        return undefined;
      } catch (error) {
        // A store failure the insurance could not absorb: the budget cannot be counted, the request runs.
        if (!(error instanceof RateLimiterRes)) return undefined;
        return { retryAfterMs: Math.max(1_000, error.msBeforeNext) };
      }
    },
  };
}
