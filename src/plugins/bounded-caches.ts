/**
 * Caches keyed by query text, bounded in bytes as well as in entries. Yoga's parse cache (and
 * its cache of parse errors) and the APQ store default to ~1,000 entries each with no bound on
 * their size, so 100 KB queries (a comment pads one to MAX_REQUEST_BYTES without adding tokens)
 * would keep ~100 MB per cache alive: a few thousand anonymous requests then end the process
 * with "Reached heap limit". Each cache here holds at most `maxBytes` of query text (two bytes a
 * character, V8's worst case) and never keeps a query larger than a quarter of it.
 */
import { LRUCache } from 'lru-cache';
import type { APQStore } from '@graphql-yoga/plugin-apq';
import type { DocumentNode } from 'graphql';

/** Bytes of query text each cache keeps at most. */
export const QUERY_CACHE_BYTES = 8 * 2 ** 20;

const TTL_MS = 3_600_000;

interface StringKeyedCache<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
}

function boundedByKey<T extends object | string>(maxEntries: number, maxBytes: number): LRUCache<string, T> {
  return new LRUCache<string, T>({
    max: maxEntries,
    maxSize: maxBytes,
    maxEntrySize: Math.floor(maxBytes / 4),
    // The key is the query text; a stored string value (APQ) is that same text.
    sizeCalculation: (_value, key) => Math.max(1, key.length * 2 + 64),
    ttl: TTL_MS,
  });
}

/** Yoga's `parserAndValidationCache`: parsed documents and parse errors, by query text. */
export function boundedParserCaches(maxBytes = QUERY_CACHE_BYTES): { documentCache: StringKeyedCache<DocumentNode>; errorCache: StringKeyedCache<unknown> } {
  const documents = boundedByKey<DocumentNode>(1024, maxBytes);
  const errors = boundedByKey<object>(1024, Math.floor(maxBytes / 4));
  return {
    documentCache: { get: (key) => documents.get(key), set: (key, value) => void documents.set(key, value) },
    errorCache: { get: (key) => errors.get(key), set: (key, value) => void (typeof value === 'object' && value !== null && errors.set(key, value)) },
  };
}

/** The APQ store: hash → query text, at most 1,000 queries and `maxBytes` of text. */
export function boundedApqStore(maxBytes = QUERY_CACHE_BYTES): APQStore {
  const queries = new LRUCache<string, string>({
    max: 1000,
    maxSize: maxBytes,
    maxEntrySize: Math.floor(maxBytes / 4),
    sizeCalculation: (query, hash) => Math.max(1, (query.length + hash.length) * 2 + 64),
    ttl: TTL_MS,
  });
  return { get: (hash) => queries.get(hash) ?? null, set: (hash, query) => void queries.set(hash, query) };
}
