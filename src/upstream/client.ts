/**
 * Cache policy over the transport: answers are kept per credential in the upstream cache (how
 * long depends on the request's kind; a 404 briefly, as null), stale ones are served while one
 * refresh runs, identical calls in flight are sent once, and each GraphQL request is charged
 * only for the HTTP calls made on its behalf.
 */
import type { EntryLoader, UpstreamCache } from '../cache/index.js';
import { UpstreamError } from './errors.js';
import { cacheKeyOf, type Credential, type Transport, type UpstreamRequest } from './transport.js';

/** What one GraphQL request cost upstream; reported in `extensions.cost` on demand. */
export interface UpstreamCost {
  /** HTTP requests sent, retries included. */
  calls: number;
  retries: number;
  /** Answers served from the cross-request cache (fresh or stale). */
  cacheHits: number;
  staleHits: number;
  /** Answers shared with an identical request already in flight. */
  inflightShares: number;
}

export function emptyCost(): UpstreamCost {
  return { calls: 0, retries: 0, cacheHits: 0, staleHits: 0, inflightShares: 0 };
}

export interface CallScope {
  readonly credential: Credential;
  readonly cost: UpstreamCost;
  /**
   * The calls this request planned (the cost plan, set before execution); null or absent: no
   * limit. Once as many calls as planned were sent, a call that would go upstream is refused with
   * CallBudgetSpent (cache hits and shared in-flight answers stay free). Retries of a sent call
   * are not charged to it: they are bounded by UPSTREAM_MAX_ATTEMPTS and the retry budget.
   */
  readonly budget?: { readonly planned: number | null };
}

/**
 * A call refused because its request already sent every call it planned (a list longer than
 * the plan assumed, e.g. more versions per model than `ASSUMED_ITEMS`). Fails that field only.
 */
export class CallBudgetSpent extends Error {
  constructor(
    readonly planned: number,
    /** Whose budget: a request sharing this call in flight tries again on its own. */
    readonly scope: CallScope,
  ) {
    super(`upstream call budget of ${planned} spent`);
    this.name = 'CallBudgetSpent';
  }
}

/** Calls the budget counts: requests sent, not their retries. */
const chargedCalls = (cost: UpstreamCost) => cost.calls - cost.retries;

/** How often a request that joined another request's refused call tries again on its own. */
const MAX_FOREIGN_REFUSALS = 3;

export interface Answer<T> {
  /** Null when Civitai answered 404. */
  value: T | null;
  /** False when the upstream forbade caching (no-store, private): nothing derived may be kept. */
  cacheable: boolean;
}

export interface UpstreamClient {
  request<T>(request: UpstreamRequest<T>, scope: CallScope): Promise<Answer<T>>;
}

export function createUpstreamClient(transport: Transport, cache: UpstreamCache): UpstreamClient {
  const answers = cache.namespace<unknown>('answer');
  return {
    async request<T>(request: UpstreamRequest<T>, scope: CallScope): Promise<Answer<T>> {
      const load: EntryLoader<unknown> = async (background) => {
        // A background refresh answers nobody: its calls are charged to no request.
        const attempts = background ? { calls: 0, retries: 0 } : scope.cost;
        const planned = scope.budget?.planned;
        // Checked and charged in one synchronous step (the transport counts the call before its
        // first await), so concurrent calls of one request cannot overshoot the plan together.
        if (!background && planned != null && chargedCalls(scope.cost) >= planned) throw new CallBudgetSpent(planned, scope);
        try {
          const delivered = await transport(request, scope.credential, attempts);
          return { value: delivered.value, lifetime: delivered.cacheable ? request.cacheKind : 'none', jsonLength: delivered.jsonLength };
        } catch (error) {
          if (error instanceof UpstreamError && error.isNotFound) return { value: null, lifetime: 'notFound' };
          throw error;
        }
      };
      const fetchOnce = () => answers.fetch(scope.credential.fingerprint, cacheKeyOf(request), load);
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
    },
  };
}

function isForeignRefusal(error: unknown, scope: CallScope): boolean {
  return error instanceof CallBudgetSpent && error.scope !== scope;
}
