/**
 * One upstream call, as one pipeline of named stages in this order (each a small module of
 * ./stages/, each told only what it needs by the stage before it; a new concern is a new stage):
 *
 *   1. plan/budget      budget.ts    refuse a call past the request's planned calls (checked when the
 *                                    call would go out: hits and shares of stages 2-3 stay free)
 *   2. single-flight    cached.ts    join an identical call in flight (src/cache fetch)
 *   3. cache tiers      cached.ts    in-process LRU, then Redis; stale-while-revalidate
 *      fleet flight     fleet-flight.ts  on a miss, wait for the replica already making this call (Redis lease)
 *      deadline         deadline.ts  the call's deadline: UPSTREAM_CALL_DEADLINE_MS, never past the request's
 *      retries          retry.ts     attempts within UPSTREAM_MAX_ATTEMPTS, the retry budget and the deadline
 *   per attempt:
 *   4. rate gate        gate.ts      the credential's budget and hold-offs (src/redis/rate-limit.ts plugged in)
 *   5. transport        exchange.ts  one HTTP exchange, timed out
 *   6. reading          read.ts      status, JSON, the route's parse function
 *   7. metrics          observe.ts   each attempt counted per route and outcome, timed
 *
 * The route, the credential and Retry-After are known once, where they arise, and handed on.
 */
import type { UpstreamCache } from '../cache/index.js';
import type { Answer, CallScope, UpstreamClient } from './client.js';
import { refuseOverBudget } from './stages/budget.js';
import { cachedCalls } from './stages/cached.js';
import { callDeadline, type Deadlines } from './stages/deadline.js';
import { createExchange, type ExchangeOptions } from './stages/exchange.js';
import { fleetShared, type FleetFlight } from './stages/fleet-flight.js';
import { learnHoldOff, passGate, type RateGate } from './stages/gate.js';
import { observed, observeRefusal, type CallObserver } from './stages/observe.js';
import { parseRetryAfter, readAnswer } from './stages/read.js';
import { withRetries, type RetryPolicy } from './stages/retry.js';
import { targetOf, type Credential, type Delivery, type UpstreamRequest } from './transport.js';

export interface UpstreamCallOptions extends ExchangeOptions {
  /** Longest one attempt may take (UPSTREAM_TIMEOUT_MS). */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Longest one call may take across its attempts (UPSTREAM_CALL_DEADLINE_MS); default: every attempt at its full timeout. */
  deadlines?: Deadlines;
  cache: UpstreamCache;
  /** The fleet's rate gate; none: calls go out at once. */
  gate?: RateGate | undefined;
  /** Fleet single-flight (src/redis/flight.ts); none: each replica makes its own calls. */
  flight?: FleetFlight | undefined;
  /** Upstream metrics, one observation per attempt. */
  observe?: CallObserver | undefined;
}

export function createUpstreamCall(options: UpstreamCallOptions): UpstreamClient {
  const exchange = createExchange(options);
  const { gate, observe } = options;
  const deadlines = options.deadlines ?? { callMs: options.retry.maxAttempts * options.timeoutMs + options.retry.maxTotalWaitMs };

  /** Stages 4 to 7, one attempt. */
  async function attempt<T>(request: UpstreamRequest<T>, target: string, credential: Credential, timeLeftMs: number, maxGateWaitMs: number): Promise<Delivery<T>> {
    await passGate(gate, request.route, credential.fingerprint, maxGateWaitMs, () => observeRefusal(observe, request.route));
    const outgoing = { route: request.route, method: request.method ?? 'GET', target, body: request.body };
    const answer = await observed(observe, request.route, () => exchange(outgoing, credential, Math.min(options.timeoutMs, timeLeftMs)));
    if (answer.status === 429) learnHoldOff(gate, credential.fingerprint, answer.status, parseRetryAfter(answer.headers.get('retry-after')));
    return readAnswer(request, answer);
  }

  /** Stage 1, then the deadline and the retries around the attempts (on a miss of stages 2 and 3). */
  function load<T>(request: UpstreamRequest<T>, scope: CallScope, background: boolean): Promise<Delivery<T>> {
    refuseOverBudget(scope, background);
    const attempts = background ? { calls: 0, retries: 0 } : scope.cost;
    const deadline = callDeadline(deadlines, background ? undefined : scope.deadline);
    const target = targetOf(request);
    return withRetries(options.retry, request.route, deadline, attempts, (left, maxWait) => attempt(request, target, scope.credential, left, maxWait));
  }

  const request: <T>(request: UpstreamRequest<T>, scope: CallScope) => Promise<Answer<T>> = cachedCalls(options.cache, fleetShared(options.flight, deadlines, load));
  return { request };
}
