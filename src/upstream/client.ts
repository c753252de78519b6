/**
 * The only code that speaks HTTP to Civitai. It adds the credential, times out, retries what
 * can succeed on retry, classifies every failure as an UpstreamError, and parses the body with
 * the caller's schema. Answers are cached per credential (a fingerprint of the key, never the
 * key) in the bounded cross-request cache, and identical requests in flight are sent once.
 */
import { createHash } from 'node:crypto';
import type { ResponseCache } from '../cache/index.js';
import { UpstreamError, type UpstreamRoute } from './errors.js';

export interface Credential {
  /** The Authorization header value to send, if any. */
  readonly authorization: string | undefined;
  /** Stable, non-reversible id of the credential: 'anon' or a hash prefix. Safe to log. */
  readonly fingerprint: string;
}

export function credentialFor(apiKey: string | undefined): Credential {
  if (!apiKey) return { authorization: undefined, fingerprint: 'anon' };
  const fingerprint = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
  return { authorization: `Bearer ${apiKey}`, fingerprint };
}

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

export type CacheKind = 'list' | 'entity';

export interface UpstreamRequest<T> {
  route: UpstreamRoute;
  /** Path below the base URL, built from validated, percent-encoded parts: '/models/12'. */
  path: string;
  query?: ReadonlyArray<readonly [string, string]>;
  cacheKind: CacheKind;
  parse: (body: unknown) => T;
}

export interface ClientOptions {
  baseUrl: string;
  timeoutMs: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxTotalWaitMs: number };
  cache: ResponseCache;
  ttlMs: { list: number; entity: number; notFound: number };
  fetch?: typeof fetch;
}

export interface Fetched<T> {
  value: T;
  /** False when the upstream forbade caching (no-store, private): nothing derived may be kept. */
  cacheable: boolean;
}

export interface UpstreamClient {
  get<T>(request: UpstreamRequest<T>, scope: CallScope): Promise<T>;
  fetch<T>(request: UpstreamRequest<T>, scope: CallScope): Promise<Fetched<T>>;
  /** The normalised cache key of a request, for tests and for feeding the cache. */
  keyOf(request: Pick<UpstreamRequest<unknown>, 'path' | 'query'>, credential: Credential): string;
  /** Store an answer learned elsewhere (e.g. a model found in a complete list response). */
  prime(request: Pick<UpstreamRequest<unknown>, 'path' | 'query' | 'cacheKind'>, credential: Credential, value: unknown, size: number): void;
  readonly cache: ResponseCache;
}

interface NotFoundMarker {
  readonly notFound: UpstreamError;
}

/** Parsed objects take roughly this many bytes per byte of JSON text. */
const PARSED_SIZE_FACTOR = 3;
const MAX_ERROR_BODY = 4096;

export function createUpstreamClient(options: ClientOptions): UpstreamClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const inflight = new Map<string, Promise<Fetched<unknown>>>();

  function normalisedTarget(request: Pick<UpstreamRequest<unknown>, 'path' | 'query'>): string {
    const query = [...(request.query ?? [])].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
    const search = new URLSearchParams(query.map(([k, v]): [string, string] => [k, v])).toString();
    return search ? `${request.path}?${search}` : request.path;
  }

  function keyOf(request: Pick<UpstreamRequest<unknown>, 'path' | 'query'>, credential: Credential): string {
    return `${credential.fingerprint} ${normalisedTarget(request)}`;
  }

  async function attempt<T>(request: UpstreamRequest<T>, target: string, credential: Credential) {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'civitai-graphql' };
    if (credential.authorization) headers.authorization = credential.authorization;
    let response: Response;
    try {
      response = await doFetch(base + target, { headers, signal: AbortSignal.timeout(options.timeoutMs), redirect: 'error' });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new UpstreamError({ kind: timedOut ? 'timeout' : 'network', route: request.route });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new UpstreamError({ kind: timedOut ? 'timeout' : 'network', route: request.route });
    }
    if (!response.ok) throw httpError(request.route, response, text);
    const contentType = response.headers.get('content-type') ?? '';
    // Outages answer with an HTML maintenance page, sometimes with status 200.
    if (/html/i.test(contentType)) throw new UpstreamError({ kind: 'parse', route: request.route, status: response.status });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamError({ kind: 'parse', route: request.route, status: response.status });
    }
    let value: T;
    try {
      value = request.parse(body);
    } catch {
      throw new UpstreamError({ kind: 'invalid', route: request.route, status: response.status });
    }
    const cacheControl = response.headers.get('cache-control') ?? '';
    const cacheable = !/no-store|private/i.test(cacheControl);
    return { value, size: Buffer.byteLength(text) * PARSED_SIZE_FACTOR, cacheable };
  }

  async function fetchWithRetry<T>(request: UpstreamRequest<T>, target: string, scope: CallScope, key: string): Promise<Fetched<T>> {
    const { maxAttempts, baseDelayMs, maxTotalWaitMs } = options.retry;
    let waited = 0;
    for (let n = 1; ; n++) {
      scope.cost.calls++;
      try {
        const result = await attempt(request, target, scope.credential);
        if (result.cacheable) {
          const ttl = request.cacheKind === 'list' ? options.ttlMs.list : options.ttlMs.entity;
          options.cache.set(key, result.value, result.size, ttl);
        }
        return { value: result.value, cacheable: result.cacheable };
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        if (error.isNotFound) {
          options.cache.set(key, { notFound: error } satisfies NotFoundMarker, 256, options.ttlMs.notFound);
        }
        if (!error.isRetryable || n >= maxAttempts) throw error;
        const backoff = baseDelayMs * 2 ** (n - 1) * (0.8 + Math.random() * 0.4);
        const delay = Math.max(error.retryAfterMs ?? 0, backoff);
        if (waited + delay > maxTotalWaitMs) throw error;
        waited += delay;
        scope.cost.retries++;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  function shared<T>(request: UpstreamRequest<T>, target: string, scope: CallScope, key: string): Promise<Fetched<T>> {
    const running = inflight.get(key);
    if (running) {
      scope.cost.inflightShares++;
      return running as Promise<Fetched<T>>;
    }
    const promise = fetchWithRetry(request, target, scope, key).finally(() => inflight.delete(key));
    inflight.set(key, promise);
    return promise;
  }

  async function fetchOne<T>(request: UpstreamRequest<T>, scope: CallScope): Promise<Fetched<T>> {
    const target = normalisedTarget(request);
    const key = `${scope.credential.fingerprint} ${target}`;
    const hit = options.cache.get<T | NotFoundMarker>(key);
    if (hit) {
      scope.cost.cacheHits++;
      if (hit.stale) {
        scope.cost.staleHits++;
        // Serve the stale answer now; one background refresh replaces it.
        if (!inflight.has(key)) shared(request, target, scope, key).catch(() => undefined);
      }
      const value = hit.value;
      if (value && typeof value === 'object' && 'notFound' in value) throw (value as NotFoundMarker).notFound;
      return { value: value as T, cacheable: true };
    }
    return shared(request, target, scope, key);
  }

  return {
    cache: options.cache,
    keyOf,
    prime(request, credential, value, size) {
      const ttl = request.cacheKind === 'list' ? options.ttlMs.list : options.ttlMs.entity;
      options.cache.set(keyOf(request, credential), value, size, ttl);
    },
    fetch: fetchOne,
    get: async <T>(request: UpstreamRequest<T>, scope: CallScope) => (await fetchOne(request, scope)).value,
  };
}

function httpError(route: UpstreamRoute, response: Response, text: string): UpstreamError {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  let upstreamMessage: string | undefined;
  try {
    upstreamMessage = errorMessageOf(JSON.parse(text.slice(0, MAX_ERROR_BODY)));
  } catch {
    // Not JSON (an HTML page, an empty body): nothing to quote.
  }
  return new UpstreamError({
    kind: 'http',
    route,
    status: response.status,
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    ...(upstreamMessage !== undefined ? { upstreamMessage: upstreamMessage.slice(0, 200) } : {}),
  });
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The short text of an error body. Shapes differ by endpoint (civitai-api-live.md, "Errors"):
 * `{error: "text"}`, `{message: "text"}`, `{message, error}` (500), `{error: {name: "ZodError",
 * message: "<JSON issues>"}}`, a bare issue array (/creators, /tags). Zod details are not quoted.
 */
export function errorMessageOf(body: unknown): string | undefined {
  if (Array.isArray(body)) return 'Invalid parameters';
  if (!body || typeof body !== 'object') return undefined;
  const { error, message } = body as { error?: unknown; message?: unknown };
  if (typeof error === 'string' && typeof message !== 'string') return error;
  if (typeof message === 'string') return message;
  if (error && typeof error === 'object') return 'Invalid parameters';
  return undefined;
}
