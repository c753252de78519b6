/**
 * Stages 2 and 3, single-flight and cache tiers: one fetch of the upstream cache (src/cache)
 * joins an identical call already in flight, else reads the tiers (in-process LRU, then Redis
 * when configured), serves a stale answer while one background refresh runs, and loads on a
 * miss (a scope marked `fresh`, a live poll, skips the tiers and refreshes them). Answers are kept per credential; a 404 briefly, as null; no-store and private never.
 * Each request is charged for what it got: a hit, a stale hit, a share, or its own calls.
 */
import type { EntryLoader, UpstreamCache } from '../../cache/index.js';
import { CallBudgetSpent, type Answer, type CallScope } from '../client.js';
import { UpstreamError } from '../errors.js';
import { cacheKeyOf, type Delivery, type UpstreamRequest } from '../transport.js';

/** How often a request that joined another request's refused call tries again on its own. */
const MAX_FOREIGN_REFUSALS = 3;

/** Loads one answer on a miss; `background`: the refresh of a stale entry nobody waits for. */
export type CallLoader = <T>(request: UpstreamRequest<T>, scope: CallScope, background: boolean) => Promise<Delivery<T>>;

export function cachedCalls(cache: UpstreamCache, load: CallLoader) {
  const answers = cache.namespace<unknown>('answer');
  return async function request<T>(request: UpstreamRequest<T>, scope: CallScope): Promise<Answer<T>> {
    const loader: EntryLoader<unknown> = async (background) => {
      try {
        const delivered = await load(request, scope, background);
        return { value: delivered.value, lifetime: delivered.cacheable ? request.cacheKind : 'none', jsonLength: delivered.jsonLength };
      } catch (error) {
        if (error instanceof UpstreamError && error.isNotFound) return { value: null, lifetime: 'notFound' };
        throw error;
      }
    };
    const fetchOnce = () => (scope.fresh ? answers.refresh : answers.fetch)(scope.credential.fingerprint, cacheKeyOf(request), loader);
    let fetched = await fetchOnce().catch((error: unknown) => ({ error }));
    // Joined in flight a call that another request's budget refused: ask again for ourselves.
    for (let n = 0; 'error' in fetched && isForeignRefusal(fetched.error, scope) && n < MAX_FOREIGN_REFUSALS; n++) {
      fetched = await fetchOnce().catch((error: unknown) => ({ error }));
    }
    if ('error' in fetched) throw fetched.error;
    if (fetched.served === 'fresh' || fetched.served === 'stale') scope.cost.cacheHits++;
    if (fetched.served === 'stale') scope.cost.staleHits++;
    if (fetched.served === 'shared') scope.cost.inflightShares++;
    return { value: fetched.value as T | null, cacheable: fetched.kept };
  };
}

function isForeignRefusal(error: unknown, scope: CallScope): boolean {
  return error instanceof CallBudgetSpent && error.scope !== scope;
}
