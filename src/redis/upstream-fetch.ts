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

export function createGatedFetch(options: GatedFetchOptions): typeof fetch {
  const doFetch = options.fetch ?? fetch;
  const { gate, metrics } = options;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const route = upstreamRoute(url.pathname);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const fingerprint = options.fingerprintOf(headers.get('authorization') ?? undefined);
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
