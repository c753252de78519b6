/**
 * The cross-request cache under the upstream API: tiers behind one interface. The in-process
 * LRU (bounded in estimated bytes) is the first tier; a shared tier can sit under it through
 * `CacheTier`, and callers never know which tier answered. Keys are grouped in namespaces
 * (upstream answers by request, models by id, creators by username) and partitioned by
 * credential. The lifetime of an entry and its size are decided here, once. `fetch` adds
 * stale-while-revalidate and in-flight sharing on top.
 */
import { LRUCache } from 'lru-cache';

/** What an entry is, which decides how long it lives; 'none' is never stored (no-store, private). */
export type Lifetime = 'list' | 'entity' | 'notFound' | 'none';

export interface CacheOptions {
  /** Upper bound of the in-process tier's summed entry sizes, in bytes; 0 keeps nothing. */
  maxBytes: number;
  /** How long past its TTL an entry may be served while one refresh replaces it; 0 disables. */
  staleMs: number;
  ttlMs: { list: number; entity: number; notFound: number };
}

export interface CacheEntry<V> {
  value: V;
  lifetime: Lifetime;
  /** Length of the value's JSON text when the caller has it (an upstream body); else measured. */
  jsonLength?: number;
}

export interface CacheHit<V> {
  value: V;
  stale: boolean;
}

/**
 * How `fetch` answered: from a fresh entry, from a stale one (a background refresh runs), from a
 * load another caller had in flight, or from a load of its own. `kept`: the answer is (or was)
 * stored; false when the loaded entry's lifetime was 'none'.
 */
export interface Fetched<V> {
  value: V;
  served: 'fresh' | 'stale' | 'shared' | 'loaded';
  kept: boolean;
}

/** Loads an entry on a miss; `background` is true for the refresh of a stale entry nobody waits for. */
export type EntryLoader<V> = (background: boolean) => Promise<CacheEntry<V>>;

export interface CacheNamespace<V> {
  get(partition: string, id: string): Promise<CacheHit<V> | undefined>;
  /** Stores at once in the in-process tier; lower tiers are written in the background. */
  set(partition: string, id: string, entry: CacheEntry<V>): void;
  fetch(partition: string, id: string, load: EntryLoader<V>): Promise<Fetched<V>>;
  /**
   * `fetch` for a caller that needs an answer newer than any stored one (a live poll): joins a
   * load already in flight, else loads, never reads the tiers; what it loads is stored as usual,
   * so later readers get the refreshed answer.
   */
  refresh(partition: string, id: string, load: EntryLoader<V>): Promise<Fetched<V>>;
}

export interface UpstreamCache {
  /** The entries of one kind; `partition` is the credential's fingerprint. */
  namespace<V>(name: string): CacheNamespace<V>;
  /** Entries and estimated bytes held by the in-process tier. */
  readonly size: number;
  readonly bytes: number;
  readonly maxBytes: number;
}

/** An entry as tiers hold it: plain data with absolute times, so that tiers agree on its age. */
export interface StoredEntry {
  value: unknown;
  size: number;
  freshUntil: number;
  /** Past this the entry is gone, not served stale. */
  staleUntil: number;
}

/** One storage level. A tier that fails or times out must degrade to a miss, never fail a query. */
export interface CacheTier {
  get(key: string): StoredEntry | undefined | Promise<StoredEntry | undefined>;
  set(key: string, entry: StoredEntry): void | Promise<void>;
}

/** The clock every cache reads, at each use (never a copy of `Date.now` taken at start-up). */
export const wallClock = { now: (): number => Date.now() };

/** Parsed objects take roughly this many bytes per character of JSON text. */
export const PARSED_SIZE_FACTOR = 3;
/** Bookkeeping of one entry beyond its value (key, record, LRU links). */
const ENTRY_OVERHEAD = 64;

/** The one estimate of an entry's memory. */
function sizeOf(entry: CacheEntry<unknown>): number {
  const length = entry.jsonLength ?? JSON.stringify(entry.value)?.length ?? 0;
  return ENTRY_OVERHEAD + Math.ceil(length * PARSED_SIZE_FACTOR);
}

export interface CacheHooks {
  /** One call per read of the in-process tier (the lower tiers report their own lookups). */
  onLocalLookup?: (outcome: 'hit' | 'stale' | 'miss') => void;
}

/** The tiers in order, read through (a hit below fills the tiers above) and written to all. */
interface TierChain {
  readonly local: LRUCache<string, StoredEntry> | undefined;
  read(key: string): Promise<StoredEntry | undefined>;
  write(key: string, entry: CacheEntry<unknown>): void;
}

function chainTiers(options: CacheOptions, lowerTiers: readonly CacheTier[], hooks: CacheHooks): TierChain {
  const local = options.maxBytes > 0 ? new LRUCache<string, StoredEntry>({ maxSize: options.maxBytes, sizeCalculation: (e) => e.size, perf: wallClock }) : undefined;
  const tiers: CacheTier[] = [
    ...(local
      ? [
          {
            get: (key: string) => local.get(key),
            set: (key: string, entry: StoredEntry) => void local.set(key, entry, { ttl: Math.max(1, entry.staleUntil - Date.now()) }),
          },
        ]
      : []),
    ...lowerTiers,
  ];

  function ttlOf(lifetime: Lifetime): number {
    return lifetime === 'none' ? 0 : options.ttlMs[lifetime];
  }

  async function read(key: string): Promise<StoredEntry | undefined> {
    let stale: { entry: StoredEntry; depth: number } | undefined;
    for (const [depth, tier] of tiers.entries()) {
      const got = await degrade(() => tier.get(key));
      const now = Date.now();
      const found = got && now < got.staleUntil ? got : undefined;
      if (depth === 0 && local) hooks.onLocalLookup?.(found ? (now < found.freshUntil ? 'hit' : 'stale') : 'miss');
      if (!found) continue;
      if (now < found.freshUntil) {
        // Found below: fill the tiers above so the next read stops earlier.
        for (const upper of tiers.slice(0, depth)) void degrade(() => upper.set(key, found));
        return found;
      }
      // Stale here; a lower tier may hold the answer another replica's refresh has written.
      stale ??= { entry: found, depth };
    }
    if (!stale) return undefined;
    const { entry, depth } = stale;
    for (const upper of tiers.slice(0, depth)) void degrade(() => upper.set(key, entry));
    return entry;
  }

  function write(key: string, entry: CacheEntry<unknown>): void {
    const ttl = ttlOf(entry.lifetime);
    if (ttl <= 0 || tiers.length === 0) return;
    const now = Date.now();
    const stored: StoredEntry = { value: entry.value, size: sizeOf(entry), freshUntil: now + ttl, staleUntil: now + ttl + options.staleMs };
    for (const tier of tiers) void degrade(() => tier.set(key, stored));
  }

  return { local, read, write };
}

export function createUpstreamCache(options: CacheOptions, lowerTiers: readonly CacheTier[] = [], hooks: CacheHooks = {}): UpstreamCache {
  const { local, read, write } = chainTiers(options, lowerTiers, hooks);
  const inflight = new Map<string, Promise<CacheEntry<unknown>>>();

  function load<V>(key: string, loader: EntryLoader<V>, background: boolean): Promise<CacheEntry<V>> {
    const promise = loader(background)
      .then((entry) => {
        write(key, entry);
        return entry;
      })
      .finally(() => inflight.delete(key));
    inflight.set(key, promise);
    return promise;
  }

  function shared<V>(running: Promise<CacheEntry<unknown>>): Promise<Fetched<V>> {
    return running.then((entry): Fetched<V> => ({ value: entry.value as V, served: 'shared', kept: entry.lifetime !== 'none' }));
  }

  return {
    namespace<V>(name: string): CacheNamespace<V> {
      const keyOf = (partition: string, id: string) => `${name}|${partition}|${id}`;
      return {
        async get(partition, id) {
          const found = await read(keyOf(partition, id));
          return found ? { value: found.value as V, stale: Date.now() >= found.freshUntil } : undefined;
        },
        set: (partition, id, entry) => write(keyOf(partition, id), entry),
        // Not lru-cache's fetch(): it stores every loaded value (no-store must not be), has no stale-age bound, no sharing at size 0.
        async fetch(partition, id, loader) {
          const key = keyOf(partition, id);
          const running = inflight.get(key);
          if (running) return shared(running);
          const found = await read(key);
          if (found && Date.now() < found.freshUntil) return { value: found.value as V, served: 'fresh', kept: true };
          if (found) {
            // Serve the stale answer now; one background refresh replaces it.
            if (!inflight.has(key)) load(key, loader, true).catch(() => undefined);
            return { value: found.value as V, served: 'stale', kept: true };
          }
          const started = inflight.get(key);
          if (started) return shared(started);
          const entry = await load(key, loader, false);
          return { value: entry.value, served: 'loaded', kept: entry.lifetime !== 'none' };
        },
        async refresh(partition, id, loader) {
          const key = keyOf(partition, id);
          const running = inflight.get(key);
          if (running) return shared(running);
          const entry = await load(key, loader, false);
          return { value: entry.value, served: 'loaded', kept: entry.lifetime !== 'none' };
        },
      };
    },
    get size() {
      return local?.size ?? 0;
    },
    get bytes() {
      return local?.calculatedSize ?? 0;
    },
    maxBytes: Math.max(0, options.maxBytes),
  };
}

/** A tier's failure reads as a miss (or a skipped write). */
async function degrade<T>(operation: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await operation();
  } catch {
    return undefined;
  }
}
