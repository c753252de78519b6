/**
 * The attempts of one call: what can succeed on retry (a timeout, a reset, 502/503/504, a 429
 * that says how long to wait) is tried again, up to UPSTREAM_MAX_ATTEMPTS, with jittered
 * exponential back-off (at least the Retry-After), within UPSTREAM_RETRY_BUDGET_MS of waiting and
 * within the call's deadline (deadline.ts). Each HTTP request sent is counted before its first
 * await (the budget stage relies on it); a retry is also counted as one.
 */
import { UpstreamError, type UpstreamRoute } from '../errors.js';
import type { Attempts } from '../transport.js';
import { outOfTime } from './deadline.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxTotalWaitMs: number;
}

/** One attempt, given the time it may take and how long it may wait at the gate. */
export type Attempt<T> = (timeLeftMs: number, maxGateWaitMs: number) => Promise<T>;

export async function withRetries<T>(policy: RetryPolicy, route: UpstreamRoute, deadline: number, attempts: Attempts, attempt: Attempt<T>): Promise<T> {
  let waited = 0;
  for (let n = 1; ; n++) {
    const left = deadline - Date.now();
    if (left <= 0) throw outOfTime(route);
    attempts.calls++;
    try {
      return await attempt(left, Math.min(policy.maxTotalWaitMs - waited, left));
    } catch (error) {
      if (!(error instanceof UpstreamError) || !error.isRetryable || n >= policy.maxAttempts) throw error;
      const backoff = policy.baseDelayMs * 2 ** (n - 1) * (0.8 + Math.random() * 0.4);
      const delay = Math.max(error.retryAfterMs ?? 0, backoff);
      if (waited + delay > policy.maxTotalWaitMs || Date.now() + delay >= deadline) throw error;
      waited += delay;
      attempts.retries++;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
