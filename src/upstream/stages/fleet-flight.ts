/**
 * Fleet single-flight, between the cache tiers and the call's own stages: on a miss, a call
 * that another replica is already making for the same credential waits for that replica's
 * answer instead of going upstream too (src/redis/flight.ts plugs the Redis lease and
 * notifications in; without Redis there is no such stage). A shared answer is charged to the
 * request as a share, like one shared in flight in this process. It waits at most until the
 * call's deadline, then makes the call itself.
 */
import type { CallScope } from '../client.js';
import { cacheKeyOf, type Delivery, type UpstreamRequest } from '../transport.js';
import type { CallLoader } from './cached.js';
import { callDeadline, type Deadlines } from './deadline.js';

export interface Shared<T> {
  delivery: Delivery<T>;
  /** True when another replica fetched it. */
  shared: boolean;
}

export interface FleetFlight {
  /** `fetch` once in the fleet for `key`, or another replica's answer; waits at most `maxWaitMs` for it. */
  share<T>(key: string, maxWaitMs: number, fetch: () => Promise<Delivery<T>>): Promise<Shared<T>>;
}

/** The flight's key: the cache's key within the credential's partition. */
export function flightKey(request: UpstreamRequest<unknown>, scope: CallScope): string {
  return `${scope.credential.fingerprint}\n${cacheKeyOf(request)}`;
}

export function fleetShared(flight: FleetFlight | undefined, deadlines: Deadlines, load: CallLoader): CallLoader {
  if (!flight) return load;
  return async <T>(request: UpstreamRequest<T>, scope: CallScope, background: boolean): Promise<Delivery<T>> => {
    // A live poll wants Civitai's answer now: an answer another replica handed over a moment ago
    // (kept for a lease's life) would hide what is new. One replica polls each question anyway.
    if (scope.fresh) return load(request, scope, background);
    const maxWaitMs = callDeadline(deadlines, background ? undefined : scope.deadline) - Date.now();
    const { delivery, shared } = await flight.share(flightKey(request, scope), maxWaitMs, () => load(request, scope, background));
    if (shared && !background) scope.cost.inflightShares++;
    return delivery;
  };
}
