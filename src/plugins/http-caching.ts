/**
 * HTTP caching headers, so that a CDN or a browser in front serves repeats without reaching us.
 *  - A query over GET, anonymous (no client credential, no server key: the request's facts), error-free, not incremental
 *    and without a cost report: `Cache-Control: public, max-age=<seconds left>`, where the time
 *    left is the whole-result cache's (CACHE_TTL_LIST_MS from when the result was stored, read
 *    from the Last-Modified the response cache records), and the full TTL when it is off.
 *  - Anything with credentials: `private, no-store`. Everything else (POST, errors, @defer
 *    answers, cost reports): `no-store`.
 *  - `Vary` names every request header that changes the answer, added to what is there already
 *    (yoga's CORS has set `Vary: Origin` when it reflected an origin). Origin is always named: an
 *    answer's CORS headers depend on it, so a CDN must not hand the answer to a request without
 *    Origin to a browser on another origin. The CSRF headers (content-type on a GET,
 *    x-graphql-yoga-csrf, …) are not named: without them the answer is a 403 that is never stored,
 *    and with any of them it is the same bytes.
 * ETags (quoted, one per representation) and If-None-Match → 304 are result-etags.ts's; a 304 gets the same Cache-Control.
 */
import type { Plugin } from 'graphql-yoga';
import { secondsLeft } from '../http/headers.js';
import type { RequestFacts } from '../http/request.js';

export const VARY = 'Accept, Accept-Encoding, Authorization, Origin, X-Upstream-Cost';

/** Adds the comma-separated `names` to the response's Vary, keeping what is there, without repeats. */
export function addVary(headers: Headers, names: string): void {
  const current = headers.get('vary');
  const have = new Set((current ?? '').toLowerCase().split(/\s*,\s*/).filter(Boolean));
  const missing = names.split(/\s*,\s*/).filter((name) => !have.has(name.toLowerCase()));
  if (missing.length === 0) return;
  headers.set('vary', current ? `${current}, ${missing.join(', ')}` : missing.join(', '));
}

export interface HttpCachingOptions {
  /** Lifetime of a whole result (CACHE_TTL_LIST_MS). */
  ttlMs: number;
  /** The request's facts: anonymous all the way upstream (`publicAnswer`), and whether it reports cost. */
  facts(request: Request): RequestFacts;
}

interface ResultFacts {
  cacheable: boolean;
  lastModified: string | undefined;
}

export { secondsLeft };

export function useHttpCaching(options: HttpCachingOptions): Plugin {
  const facts = new WeakMap<Request, ResultFacts>();
  return {
    onResultProcess({ request, result }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result) {
        facts.set(request, { cacheable: false, lastModified: undefined });
        return;
      }
      const headers = (result.extensions?.['http'] as { headers?: Record<string, string> } | undefined)?.headers;
      facts.set(request, { cacheable: !result.errors?.length && result.data != null, lastModified: headers?.['Last-Modified'] });
    },
    onResponse({ request, response }) {
      if (response.status >= 500 || response.headers.has('cache-control')) return;
      const isGraphQL = facts.has(request) || response.status === 304;
      if (!isGraphQL) return;
      addVary(response.headers, VARY);
      const { publicAnswer, reportsCost } = options.facts(request);
      if (!publicAnswer) {
        response.headers.set('cache-control', 'private, no-store');
        return;
      }
      const fact = facts.get(request);
      const publicOk =
        (request.method === 'GET' || request.method === 'HEAD') &&
        !reportsCost &&
        (response.status === 304 || (response.status === 200 && fact?.cacheable === true));
      if (!publicOk) {
        response.headers.set('cache-control', 'no-store');
        return;
      }
      const lastModified = fact?.lastModified ?? response.headers.get('last-modified') ?? undefined;
      response.headers.set('cache-control', `public, max-age=${secondsLeft(options.ttlMs, lastModified)}`);
    },
  };
}
