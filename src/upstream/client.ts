/**
 * What an upstream call is charged to and answers: the request's scope (its credential, its cost
 * so far, its planned calls and its deadline), the cost report, and the answer. The call itself
 * is the pipeline of call.ts.
 */
import type { Credential, UpstreamRequest } from './transport.js';

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
  /** Epoch ms by which every call of this request must be answered (UPSTREAM_REQUEST_DEADLINE_MS); absent: only each call's own deadline. */
  readonly deadline?: number;
  /**
   * A live poll: it needs what Civitai lists now, so stored answers are skipped (an identical
   * call in flight is still joined) and the answer it gets is stored for everyone else.
   */
  readonly fresh?: boolean;
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

export interface Answer<T> {
  /** Null when Civitai answered 404. */
  value: T | null;
  /** False when the upstream forbade caching (no-store, private): nothing derived may be kept. */
  cacheable: boolean;
}

export interface UpstreamClient {
  request<T>(request: UpstreamRequest<T>, scope: CallScope): Promise<Answer<T>>;
}
