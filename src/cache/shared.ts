/**
 * The shared tiers of the cache (docs/operations.md, "Running several replicas"): an async key-value store
 * (the Redis tier of src/redis/tier.ts, or anything with its shape) seen as a `CacheTier` under
 * the in-process LRU for upstream answers, and as the second level of the whole-result cache.
 *
 * An answer travels as JSON with its size and how long before its end it stops being fresh; its
 * end comes back as the store's remaining TTL. Times are thus relative to each reader's clock: a
 * replica whose clock is off never serves an answer fresher or longer than the one that wrote it.
 * The key is the cache's own (namespace, credential fingerprint, request), so one credential's
 * answers never reach another.
 */
import { LRUCache } from 'lru-cache';
import type { ExecutionResult } from 'graphql';
import { PARSED_SIZE_FACTOR, wallClock, type CacheTier, type StoredEntry } from './index.js';

/** The async store under the local tier: never throws, a miss for anything that went wrong. */
export interface SharedStore {
  entry(key: string): Promise<{ value: Buffer | string; ttlMs: number } | undefined>;
  set(key: string, value: Buffer | string, ttlMs: number): Promise<void>;
}

interface Wire {
  /** The value. */
  v: unknown;
  /** Estimated size in the local tier. */
  s: number;
  /** ms between the end of freshness and the end of the entry (the stale window). */
  g: number;
}

export function sharedCacheTier(store: SharedStore): CacheTier {
  return {
    async get(key) {
      const found = await store.entry(key);
      if (!found || typeof found.value !== 'string') return undefined;
      const wire = JSON.parse(found.value) as Wire;
      const staleUntil = Date.now() + found.ttlMs;
      return { value: wire.v, size: wire.s, staleUntil, freshUntil: staleUntil - wire.g };
    },
    set(key, entry: StoredEntry) {
      const ttlMs = entry.staleUntil - Date.now();
      if (ttlMs < 1) return;
      const wire: Wire = { v: entry.value, s: entry.size, g: Math.max(0, entry.staleUntil - entry.freshUntil) };
      return store.set(key, JSON.stringify(wire), ttlMs);
    },
  };
}

/**
 * The Cache interface of The Guild's response-cache plugin (`@envelop/response-cache`), whose
 * shape is restated here so that cache/ needs no plugin types.
 */
export interface ResultCache {
  get(id: string): Promise<ExecutionResult | undefined>;
  set(id: string, data: ExecutionResult, entities: Iterable<unknown>, ttl: number): void;
  invalidate(entities: Iterable<unknown>): void;
}

export interface ResultCacheOptions {
  /** Whole results kept in this process, at most this many and this many bytes (estimated as parsed JSON). */
  maxEntries: number;
  maxBytes: number;
  store?: SharedStore | undefined;
  /** One call per `get`: answered here or by the store ('hit') or by neither ('miss'). */
  onLookup?: (outcome: 'hit' | 'miss') => void;
}

const RESULT_NAMESPACE = 'result|';

/**
 * Whole results in an LRU of `maxEntries` over the shared store, under the plugin's own key (a
 * hash of the document, variables and session, the same on every replica). Nothing is
 * invalidated by entity: the API has no mutations, and entries end with their TTL.
 */
export function createResultCache(options: ResultCacheOptions): ResultCache {
  const local = new LRUCache<string, ExecutionResult>({
    max: Math.max(1, options.maxEntries),
    maxSize: Math.max(1, options.maxBytes),
    maxEntrySize: Math.max(1, Math.floor(options.maxBytes / 4)),
    ttlAutopurge: false,
    // Entries end on the wall clock (Date.now, read at each lookup), the clock the response
    // cache's Last-Modified and the warm front read: all three agree on when a result ends.
    perf: wallClock,
    ttlResolution: 0,
  });
  const sizeOf = (id: string, json: string) => 2 * id.length + json.length * PARSED_SIZE_FACTOR + 64;
  const { store } = options;
  const report = options.onLookup ?? (() => {});
  // yoga's plugin asks once before parsing and envelop's asks again before executing: the second
  // ask of a miss is the same lookup, answered without a second trip to the store.
  const justMissed = new LRUCache<string, true>({ max: 1_000, ttl: 1_000 });
  return {
    async get(id) {
      const here = local.get(id);
      if (here) {
        report('hit');
        return here;
      }
      if (justMissed.delete(id)) return undefined;
      justMissed.set(id, true);
      const found = store ? await store.entry(RESULT_NAMESPACE + id) : undefined;
      if (!found || typeof found.value !== 'string') {
        report('miss');
        return undefined;
      }
      let result: ExecutionResult;
      try {
        result = JSON.parse(found.value) as ExecutionResult;
      } catch {
        report('miss');
        return undefined;
      }
      justMissed.delete(id);
      local.set(id, result, { ttl: Math.max(1, found.ttlMs), size: sizeOf(id, found.value) });
      report('hit');
      return result;
    },
    set(id, data, _entities, ttl) {
      if (!(ttl >= 1) || !Number.isFinite(ttl)) return;
      const json = JSON.stringify(data);
      local.set(id, data, { ttl, size: sizeOf(id, json) });
      void store?.set(RESULT_NAMESPACE + id, json, ttl);
    },
    invalidate() {},
  };
}
