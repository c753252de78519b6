/**
 * Entity tags (RFC 9110 §8.8.3): quoted, one per representation. A body kept or cached as one
 * content (its hash, or the whole-result cache's key) is sent plain, br or gzip; each of those
 * byte sequences gets its own tag, the content's opaque id plus the encoding, so that a client
 * or CDN revalidating one representation never gets a 304 for another one's bytes.
 */
import type { Encoding } from './headers.js';

/** The strong ETag of `opaque` as sent with `encoding` (none: the plain bytes). */
export function entityTag(opaque: string, encoding: Encoding | undefined): string {
  return encoding === undefined ? `"${opaque}"` : `"${opaque}-${encoding}"`;
}

/**
 * The tags an If-None-Match lists, as opaque values (no `W/`, no quotes: compared weakly, §13.1.2);
 * `*` is kept as `*`. An unquoted tag (as older answers of ours had) counts as its value.
 */
export function ifNoneMatchTags(header: string | null): string[] {
  if (header === null) return [];
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'))
    .filter(Boolean);
}

/** If-None-Match against one ETag, by weak comparison: `W/` is ignored; `*` matches. */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  const wanted = ifNoneMatchTags(etag)[0];
  return ifNoneMatchTags(header).some((tag) => tag === '*' || tag === wanted);
}
