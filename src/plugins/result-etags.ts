/**
 * ETags of whole results, and their revalidation. The whole-result cache (The Guild's response
 * cache) tags what it stores with its bare cache key and answers If-None-Match by looking the
 * header up as a key: an unquoted ETag, one for the br, gzip and plain bodies alike, and a quoted
 * If-None-Match (what RFC 9110 clients send back) never matches. Here instead:
 *  - `tag` (onResponse, after compression): the key becomes a quoted strong ETag per
 *    representation (src/http/etag.ts): the key plus the encoding the request's Accept-Encoding
 *    selects (the one Vary names). An answer under 1 KB goes out plain even then (compression.ts),
 *    under that same tag: the tag names what this request selects, so revalidation stays exact;
 *  - `revalidate` (onRequest, before the response cache): a tag the If-None-Match lists (quoted
 *    or not, weak or strong) whose encoding is the one this request selects and whose key the
 *    cache still holds → 304 with that ETag and the stored Last-Modified. If-Modified-Since is
 *    then ignored (§13.1.3). `*` is not answered (which result it means takes parsing the request).
 * The response cache's own lookup is handed the raw header: `cacheIgnoringHeaders` keeps that
 * from costing a lookup (and a shared-tier round trip) per revalidation.
 */
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { entityTag, ifNoneMatchTags } from '../http/etag.js';
import { negotiateEncoding, type Encoding } from '../http/headers.js';
import type { ResultCache } from '../cache/shared.js';

/** The response cache's keys: hex SHA-256 (@envelop/response-cache's defaultBuildResponseCacheKey). */
const CACHE_KEY = /^[0-9a-f]{64}$/;
const TAGGED = /^([0-9a-f]{64})(?:-(br|gzip))?$/;

export interface ResultETagOptions {
  cache: ResultCache;
  /** Whether answers are compressed (COMPRESSION): without it every request selects the plain bytes. */
  compression: boolean;
  /** Whether the request's results are cached at all (its partition, no cost report). */
  enabled(request: Request): boolean;
}

function selected(request: Request, compression: boolean): Encoding | undefined {
  return compression ? negotiateEncoding(request.headers.get('accept-encoding')) : undefined;
}

/** The cache key of the first listed tag that names this request's representation. */
function keyOf(header: string | null, encoding: Encoding | undefined): string | undefined {
  for (const tag of ifNoneMatchTags(header)) {
    const match = TAGGED.exec(tag);
    if (match && match[2] === encoding) return match[1];
  }
  return undefined;
}

/** What the response cache is given: the same cache, except that a header is never looked up as a key. */
export function cacheIgnoringHeaders(cache: ResultCache): ResultCache {
  return {
    get: (id) => (CACHE_KEY.test(id) ? cache.get(id) : Promise.resolve(undefined)),
    set: (id, data, entities, ttl) => cache.set(id, data, entities, ttl),
    invalidate: (entities) => cache.invalidate(entities),
  };
}

export function useResultETags(options: ResultETagOptions): { revalidate: Plugin; tag: Plugin } {
  const lastModifiedOf = (result: ExecutionResult | undefined) =>
    (result?.extensions?.['http'] as { headers?: Record<string, string> } | undefined)?.headers?.['Last-Modified'];
  const revalidate: Plugin = {
    async onRequest({ request, fetchAPI, endResponse }) {
      const header = request.headers.get('if-none-match');
      if (header === null || !options.enabled(request)) return;
      const encoding = selected(request, options.compression);
      const key = keyOf(header, encoding);
      if (key === undefined) return;
      const lastModified = lastModifiedOf(await options.cache.get(key));
      if (lastModified === undefined) return;
      endResponse(new fetchAPI.Response(null, { status: 304, headers: { etag: entityTag(key, encoding), 'last-modified': lastModified } }));
    },
  };
  const tag: Plugin = {
    onResponse({ request, response }) {
      const etag = response.headers.get('etag');
      if (etag === null || !CACHE_KEY.test(etag)) return;
      // Yoga names it `ETag`; whatwg-node's set() would add `etag` beside it, both sent: delete first.
      response.headers.delete('etag');
      response.headers.set('etag', entityTag(etag, selected(request, options.compression)));
    },
  };
  return { revalidate, tag };
}
