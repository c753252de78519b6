/**
 * One memory budget, in bytes, for everything a client can fill across requests
 * (CLIENT_MEMORY_BYTES), split here once into global shares: parsed documents, parse errors,
 * texts already counted within MAX_TOKENS, planned upstream calls, APQ queries, whole results and
 * the warm front's stored answers. No bound is per document, per key or per client: a cache whose
 * bound a client can multiply (the plan memo used to keep 500 variable sets per parsed document,
 * the parse cache 1,024 documents whose size it counted by their text alone, while 2,000 tokens in
 * 4 KB parse into ~1 MB) is no bound, and ended a 160 MB heap within seconds.
 *
 * Each share is an lru-cache `maxSize` over the estimates below, which count what V8 holds: keys
 * at two bytes a character (its worst case), parsed documents by their tokens (what their AST and
 * locations cost: 300–530 bytes each, measured with graphql 16), results as the upstream cache
 * counts parsed JSON. A single entry never takes more than a quarter of its share.
 */
import { LRUCache } from 'lru-cache';
import type { APQStore } from '@graphql-yoga/plugin-apq';
import type { DocumentNode } from 'graphql';

/** The shares of CLIENT_MEMORY_BYTES (they sum to 1); docs/operations.md "Memory" restates them. */
export const CLIENT_MEMORY_SHARES = {
  /** Parsed documents by query text (yoga's parse cache). */
  documents: 0.35,
  /** Parse errors by query text. */
  parseErrors: 0.05,
  /** Query texts already counted within MAX_TOKENS (the token count is not redone for them). */
  tokenChecked: 0.05,
  /** Planned upstream calls by (document, operation, variables). */
  plans: 0.05,
  /** APQ: hash → query text. */
  apq: 0.15,
  /** Whole results of the response cache, in this process. */
  results: 0.15,
  /** Answers the warm front serves as stored bytes. */
  warmFront: 0.2,
} as const;

export type ClientMemory = { readonly [K in keyof typeof CLIENT_MEMORY_SHARES]: number };

/** Each cache's bound in bytes, from the one budget. */
export function clientMemory(totalBytes: number): ClientMemory {
  const shares = Object.entries(CLIENT_MEMORY_SHARES).map(([name, share]) => [name, Math.max(1, Math.floor(totalBytes * share))]);
  return Object.freeze(Object.fromEntries(shares)) as ClientMemory;
}

const TTL_MS = 3_600_000;
/** Bookkeeping of one entry (record, LRU links, map slot). */
const ENTRY_OVERHEAD = 64;
/** What one token of a parsed document holds: its Token, its share of AST nodes and Locations. */
const BYTES_PER_TOKEN = 512;

/** A string as V8 may hold it. */
export const textBytes = (text: string): number => text.length * 2;

/** A parsed document: its text, and per token (comments included) the AST and locations. */
export function documentBytes(text: string, document: DocumentNode): number {
  let tokens = 0;
  for (let token = document.loc?.startToken ?? null; token !== null; token = token.next) tokens++;
  // Without locations there is no token list: count the worst case, a token per character.
  if (document.loc === undefined) tokens = text.length;
  return textBytes(text) + tokens * BYTES_PER_TOKEN + ENTRY_OVERHEAD;
}

/** An LRU bounded only by the summed sizes of its entries (keys included), never by their count. */
export function byteBoundedCache<V extends object | string | number | boolean>(maxBytes: number, sizeOf: (value: V, key: string) => number): LRUCache<string, V> {
  return new LRUCache<string, V>({
    maxSize: Math.max(1, maxBytes),
    maxEntrySize: Math.max(1, Math.floor(maxBytes / 4)),
    sizeCalculation: (value, key) => Math.max(1, Math.ceil(sizeOf(value, key))),
    ttl: TTL_MS,
  });
}

interface StringKeyedCache<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
}

/**
 * Yoga's `parserAndValidationCache`: parsed documents and parse errors by query text, each within
 * its share. Yoga's validation cache is off: it keeps every document's validation errors (up to
 * 100 GraphQLErrors) beside the document, uncounted; useQueryLimits remembers which documents
 * passed instead.
 */
export function boundedParserCaches(budget: ClientMemory): {
  documentCache: StringKeyedCache<DocumentNode>;
  errorCache: StringKeyedCache<unknown>;
  validationCache: false;
} {
  const documents = byteBoundedCache<DocumentNode>(budget.documents, (document, text) => documentBytes(text, document));
  // A parse error holds the text (its Source) and a message.
  const errors = byteBoundedCache<object>(budget.parseErrors, (_error, text) => 2 * textBytes(text) + 1_024);
  return {
    documentCache: { get: (key) => documents.get(key), set: (key, value) => void documents.set(key, value) },
    errorCache: { get: (key) => errors.get(key), set: (key, value) => void (typeof value === 'object' && value !== null && errors.set(key, value)) },
    validationCache: false,
  };
}

/** The APQ store: hash → query text, within its share. */
export function boundedApqStore(maxBytes: number): APQStore {
  const queries = byteBoundedCache<string>(maxBytes, (query, hash) => textBytes(query) + textBytes(hash) + ENTRY_OVERHEAD);
  return { get: (hash) => queries.get(hash) ?? null, set: (hash, query) => void queries.set(hash, query) };
}
