/**
 * The bounded cross-request cache under the loaders. Entries are sized (an estimate of the
 * parsed answer's memory, in bytes) and expire per entry; an expired entry may still be served
 * for `staleMs` while one background refresh replaces it (stale-while-revalidate).
 */
import { LRUCache } from 'lru-cache';

export interface CacheOptions {
  /** Upper bound of the summed entry sizes, in bytes. */
  maxBytes: number;
  /** How long past its TTL an entry may be served while it is refreshed; 0 disables. */
  staleMs: number;
}

interface Entry {
  value: unknown;
  freshUntil: number;
  size: number;
}

export interface CacheHit<T> {
  value: T;
  stale: boolean;
}

export interface ResponseCache {
  get<T>(key: string): CacheHit<T> | undefined;
  set(key: string, value: unknown, size: number, ttlMs: number): void;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
  readonly bytes: number;
  readonly maxBytes: number;
}

export function createResponseCache(options: CacheOptions): ResponseCache {
  if (options.maxBytes <= 0) return disabledCache();
  const lru = new LRUCache<string, Entry>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry) => entry.size,
    // The LRU's own TTL is fresh + stale time; past it the entry is gone, not served stale.
    allowStale: false,
  });
  return {
    get<T>(key: string) {
      const entry = lru.get(key);
      if (!entry) return undefined;
      return { value: entry.value as T, stale: Date.now() >= entry.freshUntil };
    },
    set(key, value, size, ttlMs) {
      if (ttlMs <= 0 || size > options.maxBytes) return;
      lru.set(key, { value, size: Math.max(1, size), freshUntil: Date.now() + ttlMs }, { ttl: ttlMs + options.staleMs });
    },
    delete: (key) => void lru.delete(key),
    clear: () => lru.clear(),
    get size() {
      return lru.size;
    },
    get bytes() {
      return lru.calculatedSize;
    },
    maxBytes: options.maxBytes,
  };
}

/** CACHE_MAX_BYTES=0: nothing is kept (in-flight sharing still applies). */
function disabledCache(): ResponseCache {
  return {
    get: () => undefined,
    set: () => undefined,
    delete: () => undefined,
    clear: () => undefined,
    size: 0,
    bytes: 0,
    maxBytes: 0,
  };
}
