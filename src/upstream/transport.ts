/**
 * The only code that speaks HTTP to Civitai. It adds the credential, times out, retries what
 * can succeed on retry, classifies every failure as an UpstreamError, and parses the body with
 * the request's schema. It keeps nothing between calls: caching is `client.ts`.
 */
import { createHash } from 'node:crypto';
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

export interface UpstreamRequest<T> {
  route: UpstreamRoute;
  /** Path below the base URL, built from validated, percent-encoded parts: '/models/12'. */
  path: string;
  query?: ReadonlyArray<readonly [string, string]>;
  /** GET unless said; a POST sends `body` as JSON (the by-hash batch). */
  method?: 'GET' | 'POST';
  /** The JSON body of a POST; part of what identifies the answer (see `cacheKeyOf`). */
  body?: unknown;
  /** How long a successful answer may be kept: a list or a single entity. */
  cacheKind: 'list' | 'entity';
  parse: (body: unknown) => T;
  /**
   * Reads a 4xx body that says which argument was wrong (a validation the upstream owns) into
   * an error for the caller to fix; undefined leaves it an ordinary HTTP failure.
   */
  rejected?: (status: number, body: unknown) => Error | undefined;
}

/** The request's path and sorted query: what is sent, and what identifies the answer. */
export function targetOf(request: Pick<UpstreamRequest<unknown>, 'path' | 'query'>): string {
  const query = [...(request.query ?? [])].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
  const search = new URLSearchParams(query.map(([k, v]): [string, string] => [k, v])).toString();
  return search ? `${request.path}?${search}` : request.path;
}

/**
 * What identifies an answer in the cache: the target, and for a POST its method and a hash of its
 * JSON body, so two batches with other bodies never share an answer.
 */
export function cacheKeyOf(request: Pick<UpstreamRequest<unknown>, 'path' | 'query' | 'method' | 'body'>): string {
  const target = targetOf(request);
  if ((request.method ?? 'GET') === 'GET') return target;
  const body = createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('base64url');
  return `${request.method} ${target} ${body}`;
}

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxTotalWaitMs: number };
  fetch?: typeof fetch;
}

export interface Delivery<T> {
  value: T;
  /** Length of the body text, for the cache's size estimate. */
  jsonLength: number;
  /** False when the upstream forbade caching (no-store, private): nothing derived may be kept. */
  cacheable: boolean;
}

/** HTTP requests sent for one call, retries included; the caller decides whom to charge. */
export interface Attempts {
  calls: number;
  retries: number;
}

export type Transport = <T>(request: UpstreamRequest<T>, credential: Credential, attempts: Attempts) => Promise<Delivery<T>>;

const MAX_ERROR_BODY = 4096;

export function createTransport(options: TransportOptions): Transport {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;

  async function attempt<T>(request: UpstreamRequest<T>, target: string, credential: Credential): Promise<Delivery<T>> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'civitai-graphql' };
    if (credential.authorization) headers.authorization = credential.authorization;
    const method = request.method ?? 'GET';
    // One timer cleared when the body is read, rather than AbortSignal.timeout: that one costs ~10x
    // more to make and keeps its timer until the signal is collected (41 per cold models page).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), options.timeoutMs);
    const init: RequestInit = { method, headers, signal: deadline.signal, redirect: 'error' };
    if (method === 'POST') {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(request.body ?? null);
    }
    let response: Response;
    let text: string;
    try {
      response = await doFetch(base + target, init);
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new UpstreamError({ kind: timedOut ? 'timeout' : 'network', route: request.route });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw rejection(request, response.status, text) ?? httpError(request.route, response, text);
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
    const cacheable = !/no-store|private/i.test(response.headers.get('cache-control') ?? '');
    return { value, jsonLength: text.length, cacheable };
  }

  return async function send(request, credential, attempts) {
    const target = targetOf(request);
    const { maxAttempts, baseDelayMs, maxTotalWaitMs } = options.retry;
    let waited = 0;
    for (let n = 1; ; n++) {
      attempts.calls++;
      try {
        return await attempt(request, target, credential);
      } catch (error) {
        if (!(error instanceof UpstreamError) || !error.isRetryable || n >= maxAttempts) throw error;
        const backoff = baseDelayMs * 2 ** (n - 1) * (0.8 + Math.random() * 0.4);
        const delay = Math.max(error.retryAfterMs ?? 0, backoff);
        if (waited + delay > maxTotalWaitMs) throw error;
        waited += delay;
        attempts.retries++;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
}

function rejection(request: UpstreamRequest<unknown>, status: number, text: string): Error | undefined {
  if (!request.rejected || status < 400 || status >= 500) return undefined;
  try {
    return request.rejected(status, JSON.parse(text));
  } catch {
    return undefined;
  }
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
    kind: response.status === 401 ? 'unauthenticated' : response.status === 403 ? 'forbidden' : 'http',
    route,
    status: response.status,
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    ...(upstreamMessage !== undefined ? { upstreamMessage: upstreamMessage.slice(0, 200) } : {}),
  });
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); anything else is unusable. */
export function parseRetryAfter(value: string | null): number | undefined {
  const text = value?.trim() ?? '';
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const date = Date.parse(text);
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
