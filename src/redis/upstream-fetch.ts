/**
 * The upstream gate and the upstream metrics as a `fetch` wrapper, so they apply to every request
 * the upstream client sends without the client knowing: before a request, the credential's
 * budget and hold-off are checked (waiting at most `maxWaitMs`); a 429 with Retry-After holds the
 * credential off on every replica; each request is counted per route and status and timed.
 *
 * A call the gate refuses never reaches Civitai: it gets a local 429 with Retry-After, which the
 * client treats exactly like Civitai's (retry within its budget, then UPSTREAM_RATE_LIMITED with
 * `retryAfter`). When the transport takes the gate itself (src/redis/rate-limit.ts, header), this
 * wrapper keeps only the metrics.
 */
import type { Metrics } from '../metrics.js';
import { RateLimitedError, type UpstreamGate } from './rate-limit.js';

export interface GatedFetchOptions {
  gate: UpstreamGate;
  metrics?: Metrics;
  /** The credential fingerprint of an `Authorization` header value (undefined = anonymous). */
  fingerprintOf: (authorization: string | undefined) => string;
  /** Most time a request may wait for the budget or a hold-off before it is refused. */
  maxWaitMs: number;
  fetch?: typeof fetch;
}

/** Route label of an upstream path: a closed set, never an id. */
export function upstreamRoute(pathname: string): string {
  const parts = pathname.split('/').filter(Boolean);
  const at = parts.findIndex((p) => ['models', 'model-versions', 'creators', 'tags', 'images'].includes(p));
  if (at < 0) return 'other';
  const [name, ...rest] = parts.slice(at);
  switch (name) {
    case 'models':
      return rest.length ? 'model' : 'models';
    case 'model-versions':
      return 'model-version';
    default:
      return name!;
  }
}

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const ABSOLUTE = /^https?:\/\/[^/?#\\]*(\/[\x21-\x22\x24\x26-\x3e\x40-\x5b\x5d-\x7e]*)?(?:[?#]|$)/i;

/** The path of a request URL; the transport's plain absolute URLs are read without building a URL (41 per cold models page). */
export function pathnameOf(input: string | URL | Request): string {
  const url = input instanceof Request ? input.url : String(input);
  const simple = ABSOLUTE.exec(url);
  if (simple && !simple[1]?.includes('/.')) return simple[1] ?? '/';
  return new URL(url).pathname;
}

/** The Authorization header a request carries, read from a plain header record without building Headers. */
export function authorizationOf(input: string | URL | Request, init: RequestInit | undefined): string | undefined {
  const given = init?.headers;
  if (given !== undefined && given !== null && typeof given === 'object' && !Array.isArray(given) && !(given instanceof Headers)) {
    for (const [name, value] of Object.entries(given as Record<string, string>)) if (name.toLowerCase() === 'authorization') return value;
    return undefined;
  }
  return new Headers(given ?? (input instanceof Request ? input.headers : undefined)).get('authorization') ?? undefined;
}

export function createGatedFetch(options: GatedFetchOptions): typeof fetch {
  const doFetch = options.fetch ?? fetch;
  const { gate, metrics } = options;
  return async (input, init) => {
    const route = upstreamRoute(pathnameOf(input));
    const fingerprint = options.fingerprintOf(authorizationOf(input, init));
    try {
      await gate.acquire(fingerprint, options.maxWaitMs);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      metrics?.upstreamCall(route, 'rate-limited', 0);
      const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
      return new Response(JSON.stringify({ error: 'rate limited locally' }), {
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': String(seconds) },
      });
    }
    const started = performance.now();
    try {
      const response = await doFetch(input, init);
      metrics?.upstreamCall(route, response.status, (performance.now() - started) / 1000);
      if (response.status === 429) {
        const wait = retryAfterMs(response.headers.get('retry-after'));
        if (wait !== undefined && wait > 0) gate.holdOff(fingerprint, wait);
      }
      return response;
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      metrics?.upstreamCall(route, timedOut ? 'timeout' : 'network', (performance.now() - started) / 1000);
      throw error;
    }
  };
}
