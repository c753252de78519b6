/** The cache's tiers over an in-memory stand-in for Redis: what is written below, what is read back, how old. */
import { describe, expect, it } from 'vitest';
import { createUpstreamCache } from '../../src/cache/index.js';
import { createResultCache, sharedCacheTier, type SharedStore } from '../../src/cache/shared.js';

function memoryStore() {
  const data = new Map<string, { value: string | Buffer; until: number }>();
  const calls = { entry: 0, set: 0 };
  const store: SharedStore = {
    async entry(key) {
      calls.entry++;
      const found = data.get(key);
      return found && found.until > Date.now() ? { value: found.value, ttlMs: found.until - Date.now() } : undefined;
    },
    async set(key, value, ttlMs) {
      calls.set++;
      data.set(key, { value, until: Date.now() + ttlMs });
    },
  };
  return { store, data, calls };
}

const options = { maxBytes: 1_000_000, staleMs: 10_000, ttlMs: { list: 60_000, entity: 300_000, notFound: 30_000 } };
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('the shared tier under the upstream cache', () => {
  it('when an answer is stored, then another cache over the same store reads it, fresh, with what is left of its TTL', async () => {
    const { store, data } = memoryStore();
    const a = createUpstreamCache(options, [sharedCacheTier(store)]).namespace<{ items: number[] }>('answer');
    const b = createUpstreamCache(options, [sharedCacheTier(store)]).namespace<{ items: number[] }>('answer');
    a.set('cred-1', '/models?limit=2', { value: { items: [1, 2] }, lifetime: 'list' });
    await settle();

    expect([...data.keys()]).toEqual(['answer|cred-1|/models?limit=2']);
    expect(data.get('answer|cred-1|/models?limit=2')!.until - Date.now()).toBeGreaterThan(60_000 + 10_000 - 1_000);
    expect(await b.get('cred-1', '/models?limit=2')).toEqual({ value: { items: [1, 2] }, stale: false });
    expect(await b.get('cred-2', '/models?limit=2')).toBeUndefined();
  });

  it('when an answer may not be kept (no-store, private), then nothing reaches the store', async () => {
    const { store, calls } = memoryStore();
    const cache = createUpstreamCache(options, [sharedCacheTier(store)]).namespace<string>('answer');
    const fetched = await cache.fetch('cred', '/private', async () => ({ value: 'secret', lifetime: 'none' }));
    await settle();
    expect(fetched).toEqual({ value: 'secret', served: 'loaded', kept: false });
    expect(calls.set).toBe(0);
  });

  it('when the store entry is in its stale window, then it is served stale and refreshed once', async () => {
    const { store, data } = memoryStore();
    data.set('answer|c|/x', { value: JSON.stringify({ v: 'old', s: 10, g: 10_000 }), until: Date.now() + 5_000 });
    const cache = createUpstreamCache(options, [sharedCacheTier(store)]).namespace<string>('answer');
    let loads = 0;
    const fetched = await cache.fetch('c', '/x', async () => (loads++, { value: 'new', lifetime: 'list' }));
    expect(fetched).toMatchObject({ value: 'old', served: 'stale' });
    await settle();
    expect(loads).toBe(1);
  });

  it('when the local entry is stale and the store holds a fresh one (another replica refreshed it), then the fresh one is served without a load', async () => {
    const { store, data } = memoryStore();
    const cache = createUpstreamCache({ ...options, ttlMs: { ...options.ttlMs, list: 1 } }, [sharedCacheTier(store)]).namespace<string>('answer');
    cache.set('c', '/y', { value: 'first', lifetime: 'list' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    data.set('answer|c|/y', { value: JSON.stringify({ v: 'refreshed', s: 10, g: 10_000 }), until: Date.now() + 60_000 });
    let loads = 0;
    const fetched = await cache.fetch('c', '/y', async () => (loads++, { value: 'loaded', lifetime: 'list' }));
    expect(fetched).toMatchObject({ value: 'refreshed', served: 'fresh' });
    expect(loads).toBe(0);
  });

  it('when each tier is read, then the local one reports hit, stale or miss', async () => {
    const outcomes: string[] = [];
    const cache = createUpstreamCache({ ...options, ttlMs: { ...options.ttlMs, list: 1 } }, [], { onLocalLookup: (o) => outcomes.push(o) }).namespace<string>('answer');
    await cache.get('c', '/z');
    cache.set('c', '/z', { value: 'v', lifetime: 'entity' });
    await cache.get('c', '/z');
    cache.set('c', '/w', { value: 'v', lifetime: 'list' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await cache.get('c', '/w');
    expect(outcomes).toEqual(['miss', 'hit', 'stale']);
  });
});

describe('the whole-result cache over the shared store', () => {
  it('when a result is set on one replica, then another gets it from the store once and keeps it locally', async () => {
    const { store, calls } = memoryStore();
    const outcomes: string[] = [];
    const a = createResultCache({ maxEntries: 5, maxBytes: 1_000_000, store });
    const b = createResultCache({ maxEntries: 5, maxBytes: 1_000_000, store, onLookup: (o) => outcomes.push(o) });
    a.set('op-1', { data: { x: 1 } }, [], 60_000);
    await settle();

    expect(await b.get('op-1')).toEqual({ data: { x: 1 } });
    expect(await b.get('op-1')).toEqual({ data: { x: 1 } });
    expect(calls.entry).toBe(1);
    expect(outcomes).toEqual(['hit', 'hit']);
  });

  it('when a miss is asked twice in a row (yoga, then envelop, for one request), then the store is asked once', async () => {
    const { store, calls } = memoryStore();
    const outcomes: string[] = [];
    const cache = createResultCache({ maxEntries: 5, maxBytes: 1_000_000, store, onLookup: (o) => outcomes.push(o) });
    expect(await cache.get('op-2')).toBeUndefined();
    expect(await cache.get('op-2')).toBeUndefined();
    expect(calls.entry).toBe(1);
    expect(outcomes).toEqual(['miss']);
    // a third ask (the next request) looks again
    expect(await cache.get('op-2')).toBeUndefined();
    expect(calls.entry).toBe(2);
  });

  it('when the TTL is not a positive finite number, then nothing is kept', async () => {
    const { store, calls } = memoryStore();
    const cache = createResultCache({ maxEntries: 5, maxBytes: 1_000_000, store });
    cache.set('op-3', { data: {} }, [], Infinity);
    cache.set('op-4', { data: {} }, [], 0);
    expect(calls.set).toBe(0);
    expect(await cache.get('op-3')).toBeUndefined();
  });
});
