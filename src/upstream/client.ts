/**
 * Cache policy over the transport: answers are kept per credential in the upstream cache (how
 * long depends on the request's kind; a 404 briefly, as null), stale ones are served while one
 * refresh runs, identical calls in flight are sent once, and each GraphQL request is charged
 * only for the HTTP calls made on its behalf.
 */
import type { UpstreamCache } from '../cache/index.js';
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

export function createUpstreamClient(transport: Transport, cache: UpstreamCache): UpstreamClient {
  const answers = cache.namespace<unknown>('answer');
  return {
    async request<T>(request: UpstreamRequest<T>, scope: CallScope): Promise<Answer<T>> {
      const fetched = await answers.fetch(scope.credential.fingerprint, cacheKeyOf(request), async (background) => {
        // A background refresh answers nobody: its calls are charged to no request.
        const attempts = background ? { calls: 0, retries: 0 } : scope.cost;
        try {
          const delivered = await transport(request, scope.credential, attempts);
          return { value: delivered.value, lifetime: delivered.cacheable ? request.cacheKind : 'none', jsonLength: delivered.jsonLength };
        } catch (error) {
          if (error instanceof UpstreamError && error.isNotFound) return { value: null, lifetime: 'notFound' };
          throw error;
        }
      });
      if (fetched.served === 'fresh' || fetched.served === 'stale') scope.cost.cacheHits++;
      if (fetched.served === 'stale') scope.cost.staleHits++;
      if (fetched.served === 'shared') scope.cost.inflightShares++;
      return { value: fetched.value as T | null, cacheable: fetched.kept };
    },
  };
}
