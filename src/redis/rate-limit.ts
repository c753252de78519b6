/**
 * One upstream budget for the fleet: `UPSTREAM_RATE_LIMIT` requests per second per credential
 * fingerprint, counted in Redis by rate-limiter-flexible (fixed one-second windows, atomic Lua),
 * so N replicas together stay within it. When Redis is down or slower than `REDIS_TIMEOUT_MS`,
 * each replica falls back to an in-memory limiter with the same budget (then the fleet may reach
 * N times the budget until Redis is back; nothing stalls). Without Redis the memory limiter is the
 * only one.
 *
 * A shared back-off: when Civitai answers 429 with Retry-After, the transport calls
 * `holdOff(fingerprint, ms)`; the until-time is kept locally and in Redis (PX), and every
 * replica's `acquire` for that credential waits or refuses until then.
 *
 * It is the rate-gate stage of every upstream call (src/upstream/stages/gate.ts): `acquire`
 * before each attempt, `holdOff` after a 429 with Retry-After; a RateLimitedError (a GateRefusal)
 * becomes the call's final 429, which the client sees as UPSTREAM_RATE_LIMITED with `retryAfter`.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { GateRefusal, type RateGate } from '../upstream/stages/gate.js';
import type { RedisConnection } from './connection.js';

/** `acquire` rejects with RateLimitedError when the budget or a hold-off needs longer than `maxWaitMs`; `holdOff` holds on every replica. */
export interface UpstreamGate extends RateGate {
  /** Epoch ms until which this credential is held off (0 when it is not). */
  heldUntil(fingerprint: string): Promise<number>;
}

export class RateLimitedError extends GateRefusal {
  constructor(
    retryAfterMs: number,
    readonly reason: 'budget' | 'hold-off',
  ) {
    super(retryAfterMs, reason === 'budget' ? 'The upstream request budget is spent for now.' : 'Civitai asked to hold off this credential.');
    this.name = 'RateLimitedError';
  }
}

export type GateWait = 'waited' | 'rejected';

export interface UpstreamGateOptions {
  /** Requests per second per credential; 0 = no budget (hold-offs still apply). */
  limit: number;
  connection?: RedisConnection | undefined;
  /** Reports a call that had to wait (and how long) or was refused; feeds the metrics. */
  onWait?: (outcome: GateWait, ms: number) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_LOCAL_HOLDS = 1_000;
/**
 * Longest hold-off one 429 can impose. Civitai's Retry-After is trusted up to this: a bogus or
 * absurd one (`99999999999999999999`, a date in 9999) would otherwise refuse every uncached call
 * of that credential until the process restarts. Past it, one call goes out again and a renewed
 * 429 holds off once more, so a genuine long back-off costs one upstream call per cap.
 */
export const MAX_HOLD_OFF_MS = 60_000;
const HOLD_PREFIX = 'ho:';

function isRes(value: unknown): value is RateLimiterRes {
  return value instanceof RateLimiterRes;
}

function budgetLimiter(limit: number, connection: RedisConnection | undefined): RateLimiterAbstract | RLWrapperTimeouts {
  const memory = new RateLimiterMemory({ keyPrefix: 'rl', points: limit, duration: 1 });
  if (!connection) return memory;
  const redis = new RateLimiterRedis({
    storeClient: connection.client,
    keyPrefix: 'rl',
    points: limit,
    duration: 1,
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
  return new RLWrapperTimeouts({ limiter: redis, timeoutMs: connection.timeoutMs, insuranceLimiter: memory });
}

export function createUpstreamGate(options: UpstreamGateOptions): UpstreamGate {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const report = options.onWait ?? (() => {});
  const { connection } = options;
  const limiter = options.limit > 0 ? budgetLimiter(options.limit, connection) : undefined;
  const localHolds = new Map<string, number>();

  const holdLocally = (fingerprint: string, until: number) => {
    if (localHolds.size >= MAX_LOCAL_HOLDS) {
      const t = now();
      for (const [key, value] of localHolds) if (value <= t) localHolds.delete(key);
      if (localHolds.size >= MAX_LOCAL_HOLDS) localHolds.delete(localHolds.keys().next().value!);
    }
    if ((localHolds.get(fingerprint) ?? 0) < until) localHolds.set(fingerprint, until);
  };

  const heldUntil = async (fingerprint: string): Promise<number> => {
    const local = localHolds.get(fingerprint) ?? 0;
    if (!connection) return local;
    const shared = Number((await connection.attempt((redis) => redis.get(HOLD_PREFIX + fingerprint))) ?? 0) || 0;
    if (shared > local) holdLocally(fingerprint, shared);
    return Math.max(local, shared);
  };

  return {
    heldUntil,
    holdOff(fingerprint, asked) {
      if (!(asked > 0)) return;
      const ms = Math.min(asked, MAX_HOLD_OFF_MS);
      const until = now() + ms;
      holdLocally(fingerprint, until);
      // Last writer wins: each 429 carries Civitai's freshest Retry-After.
      void connection?.attempt((redis) => redis.set(HOLD_PREFIX + fingerprint, String(until), 'PX', Math.ceil(ms)), 'write');
    },
    async acquire(fingerprint, maxWaitMs) {
      const start = now();
      const end = start + Math.max(0, maxWaitMs);
      let slept = false;
      const waitOrRefuse = async (ms: number, reason: RateLimitedError['reason']) => {
        if (now() + ms > end) {
          report('rejected', now() - start);
          throw new RateLimitedError(ms, reason);
        }
        slept = true;
        await sleep(ms);
      };
      for (;;) {
        const until = await heldUntil(fingerprint);
        if (until > now()) {
          await waitOrRefuse(until - now(), 'hold-off');
          continue;
        }
        if (!limiter) break;
        try {
          await limiter.consume(fingerprint, 1);
          break;
        } catch (error) {
          // A rejection that is not a RateLimiterRes is a store failure the insurance could not
          // absorb: the budget cannot be counted, so the call goes out rather than failing.
          if (!isRes(error)) break;
          await waitOrRefuse(Math.max(1, error.msBeforeNext), 'budget');
        }
      }
      if (slept) report('waited', now() - start);
    },
  };
}
