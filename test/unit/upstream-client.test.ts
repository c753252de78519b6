/**
 * The upstream module through its public API (`createUpstreamApi`) against the fixture upstream:
 * transport (timeouts, retries, error kinds, parsing), cache policy (per-credential answers,
 * stale-while-revalidate, in-flight sharing, cost) and Civitai's quirks resolved before pagination.
 */
import { test as base, describe, expect, onTestFinished, vi } from 'vitest';
import { createFixtureUpstream, type Fault, type FixtureUpstream } from '../../fixture/index.js';
import { createUpstreamCache, type CacheTier, type StoredEntry, type UpstreamCache } from '../../src/cache/index.js';
import { CallBudgetSpent, emptyCost, type CallScope } from '../../src/upstream/client.js';
import { UpstreamError } from '../../src/upstream/errors.js';
import { createUpstreamApi, type UpstreamApi } from '../../src/upstream/index.js';
import { LOCAL_FILTER_EXTRA_CALLS, MAX_MODELS_LIMIT, MODELS_PAGE_MODE_END } from '../../src/upstream/models.js';
import { parseRetryAfter } from '../../src/upstream/stages/read.js';
import { credentialFor } from '../../src/upstream/transport.js';

interface ApiOptions {
  maxBytes?: number;
  timeoutMs?: number;
  budget?: number;
  ttlMs?: number;
  staleMs?: number;
  tiers?: CacheTier[];
}

const test = base.extend<{ fixture: FixtureUpstream; makeApi: (options?: ApiOptions) => { api: UpstreamApi; cache: UpstreamCache } }>({
  fixture: async ({}, use) => {
    const fixture = await createFixtureUpstream();
    await use(fixture);
    await fixture.close();
  },
  makeApi: async ({ fixture }, use) => {
    await use((options = {}) => {
      const ttl = options.ttlMs ?? 60_000;
      const cache = createUpstreamCache(
        { maxBytes: options.maxBytes ?? 1_000_000, staleMs: options.staleMs ?? 0, ttlMs: { list: ttl, entity: ttl, notFound: ttl } },
        options.tiers,
      );
      const api = createUpstreamApi({
        baseUrl: fixture.url,
        timeoutMs: options.timeoutMs ?? 2000,
        retry: { maxAttempts: 3, baseDelayMs: 10, maxTotalWaitMs: options.budget ?? 500 },
        cache,
      });
      return { api, cache };
    });
  },
});

const scope = (key?: string): CallScope => ({ credential: credentialFor(key), cost: emptyCost() });
const page = { limit: 3, page: 1 };
const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as UpstreamError);

describe('upstream cache policy', () => {
  test('when the same request repeats, then the second is served from the cache with no call', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    const s = scope();
    const first = await api.listTags(page, s);
    const second = await api.listTags(page, s);
    expect(second).toEqual(first);
    expect(fixture.calls('tags')).toBe(1);
    expect(s.cost).toEqual({ calls: 1, retries: 0, cacheHits: 1, staleHits: 0, inflightShares: 0 });
  });

  test('when identical requests are in flight together, then one upstream call serves them all', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    fixture.setLatency(100);
    const scopes = [scope(), scope(), scope()];
    await Promise.all(scopes.map((s) => api.listTags(page, s)));
    expect(fixture.calls('tags')).toBe(1);
    expect(scopes.map((s) => s.cost.inflightShares)).toEqual([0, 1, 1]);
  });

  test('when two credentials ask the same thing, then each gets its own call, kept under a hash of the key', async ({ fixture, makeApi }) => {
    const keys: string[] = [];
    const recorder: CacheTier = { get: () => undefined, set: (key) => void keys.push(key) };
    const { api } = makeApi({ tiers: [recorder] });
    const [alice, bob] = Object.keys(fixture.apiKeys) as [string, string];
    for (const key of [undefined, alice, bob, alice]) await api.listTags(page, scope(key));
    expect(fixture.log.map((e) => e.auth)).toEqual(['none', 'valid', 'valid']);
    expect(keys).toHaveLength(3);
    expect(keys.join(' ')).not.toContain(alice);
    expect(keys.filter((k) => k.includes(credentialFor(alice).fingerprint))).toHaveLength(1);
  });

  test('when the cache is full, then it stays within its byte bound', async ({ makeApi }) => {
    const { api, cache } = makeApi({ maxBytes: 20_000 });
    for (let i = 1; i <= 30; i++) await api.listTags({ limit: 5, page: i }, scope());
    expect(cache.bytes).toBeGreaterThan(0);
    expect(cache.bytes).toBeLessThanOrEqual(20_000);
    expect(cache.size).toBeLessThan(30);
  });

  test('when the upstream marks an answer private, then it is not cached', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    const [alice] = Object.keys(fixture.apiKeys) as [string];
    const id = fixture.catalogue.models[0]?.versions[0]?.id as number;
    await api.getModelVersion(id, scope(alice));
    await api.getModelVersion(id, scope(alice));
    expect(fixture.calls('model-version')).toBe(2);
  });

  test('when a 404 comes back, then the answer is null, remembered briefly and not asked again', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    expect(await api.getModelVersion(2_000_000_001, scope())).toBeNull();
    expect(await api.getModelVersion(2_000_000_001, scope())).toBeNull();
    expect(fixture.calls('model-version')).toBe(1);
  });

  test('when an answer is stale, then it is served at once, one refresh runs and its call is charged to no request', async ({ fixture, makeApi }) => {
    const ttlMs = 60_000;
    const { api } = makeApi({ ttlMs, staleMs: ttlMs });
    await api.listTags(page, scope());
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => void vi.useRealTimers());
    vi.setSystemTime(Date.now() + ttlMs + 1);
    const stale = scope();
    await api.listTags(page, stale);
    expect(stale.cost).toEqual({ calls: 0, retries: 0, cacheHits: 1, staleHits: 1, inflightShares: 0 });
    await expect.poll(() => fixture.calls('tags')).toBe(2);
    // The refresh stores its answer after the fixture has logged the call: poll until it has.
    const fresh = async () => {
      const s = scope();
      await api.listTags(page, s);
      return s.cost;
    };
    await expect.poll(fresh).toMatchObject({ calls: 0, cacheHits: 1, staleHits: 0 });
    expect(fixture.calls('tags')).toBe(2);
  });

  test('when a lower tier holds the answer, then it is served with no call; when a tier fails, the call goes upstream', async ({ fixture, makeApi }) => {
    const shared = new Map<string, StoredEntry>();
    const sharedTier: CacheTier = { get: async (key) => shared.get(key), set: async (key, entry) => void shared.set(key, entry) };
    await makeApi({ tiers: [sharedTier] }).api.listTags(page, scope());
    const other = makeApi({ tiers: [sharedTier] }).api;
    const s = scope();
    await other.listTags(page, s);
    expect(fixture.calls('tags')).toBe(1);
    expect(s.cost.cacheHits).toBe(1);

    const broken: CacheTier = { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')) };
    const degraded = makeApi({ maxBytes: 0, tiers: [broken] }).api;
    await expect(degraded.listTags(page, scope())).resolves.toMatchObject({ items: expect.any(Array) });
    expect(fixture.calls('tags')).toBe(2);
  });

  test('when a complete model list was seen, then those models by id cost no call; a filtered list does not count', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    const pg = await api.listModels({ limit: 3 }, scope());
    const ids = pg.items.map((m) => m.id);
    await api.getModels(ids, scope());
    expect(fixture.calls()).toBe(2);

    const all = await api.listModels({ limit: 5, nsfw: true, sort: 'Newest' }, scope());
    fixture.resetLog();
    const s = scope();
    expect((await api.getModels(all.items.map((m) => m.id), s)).map((m) => m?.id)).toEqual(all.items.map((m) => m.id));
    expect(fixture.calls()).toBe(0);
    expect(s.cost.cacheHits).toBe(5);
  });
});

describe('upstream quirks, resolved before pagination', () => {
  test('when a tag is unknown, then the model list is empty (Civitai ignores the filter)', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    expect(await api.listModels({ limit: 5, tag: 'no-such-tag-at-all' }, scope())).toEqual({ items: [], nextCursor: undefined, more: false, total: 0 });
    expect(fixture.calls('models')).toBe(1);
  });

  test('when a username is unknown, then the model list is empty (Civitai answers 404)', async ({ makeApi }) => {
    const { api } = makeApi();
    expect(await api.listModels({ limit: 5, username: 'nobody_at_all' }, scope())).toEqual({ items: [], nextCursor: undefined, more: false, total: 0 });
  });

  test('when /tags reports its constant 0 total, then no total is trusted; /creators without a query reports a true one', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    expect((await api.listTags(page, scope())).total).toBeNull();
    const creators = await api.listCreators(page, scope());
    expect(creators.total).toBeGreaterThan(creators.items.length);
    expect((await api.listCreators({ ...page, page: 2 }, scope())).total).toBe(creators.total);
    expect(fixture.calls('creators')).toBe(2);
  });

  test('when a model list is searched, then it pages by cursor only; otherwise numbered pages end at the page-mode end', ({ makeApi }) => {
    const { paging } = makeApi().api;
    expect(paging.models({ query: 'x' })).toEqual({ maxLimit: MAX_MODELS_LIMIT, pages: null, extraCalls: 0, refused: null });
    expect(paging.models({})).toEqual({
      maxLimit: MAX_MODELS_LIMIT,
      pages: { maxLimit: MAX_MODELS_LIMIT, preferredEnd: MODELS_PAGE_MODE_END },
      extraCalls: 0,
      refused: null,
    });
    // A filter applied here: numbered offsets would count the rows it drops, so none; a few more calls per window.
    expect(paging.models({ allowNoCredit: false })).toEqual({ maxLimit: MAX_MODELS_LIMIT, pages: null, extraCalls: LOCAL_FILTER_EXTRA_CALLS, refused: null });
  });
});

describe('upstream transport', () => {
  test('when 502 then 503 then 200 come back, then the call retries and succeeds', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    fixture.inject({ route: 'tags', fault: { kind: 'status', status: 502 } });
    fixture.inject({ route: 'tags', fault: { kind: 'status', status: 503, headers: { 'retry-after': '0' } } });
    const s = scope();
    await expect(api.listTags(page, s)).resolves.toMatchObject({ items: expect.any(Array) });
    expect(s.cost).toMatchObject({ calls: 3, retries: 2 });
  });

  test('when the deep-page 429 comes back, then it is not retried and reads as a page limit', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    fixture.inject({ route: 'tags', fault: { kind: 'status', status: 429, body: { error: "You've requested too many pages, please use cursors instead" } } });
    const error = await errorOf(api.listTags(page, scope()));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error?.isPageLimit).toBe(true);
    expect(fixture.calls('tags')).toBe(1);
  });

  test('when a 429 asks to wait longer than the retry budget, then the call fails at once with the wait', async ({ fixture, makeApi }) => {
    const { api } = makeApi({ budget: 100 });
    fixture.inject({ route: 'tags', fault: { kind: 'status', status: 429, headers: { 'retry-after': '30' } } });
    expect(await errorOf(api.listTags(page, scope()))).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 30_000 });
    expect(fixture.calls('tags')).toBe(1);
  });

  test('when a 429 says to wait briefly, within the retry budget, then the call is retried and succeeds', async ({ fixture, makeApi }) => {
    const { api } = makeApi({ budget: 2000 });
    fixture.inject({ route: 'tags', fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } });
    const s = scope();
    await expect(api.listTags(page, s)).resolves.toMatchObject({ items: expect.any(Array) });
    expect(s.cost).toMatchObject({ calls: 2, retries: 1 });
  });

  test.for([['no Retry-After', {}], ['Retry-After: soon', { 'retry-after': 'soon' }], ['Retry-After: -5', { 'retry-after': '-5' }], ['Retry-After: 1.5', { 'retry-after': '1.5' }]] as const)(
    'when a 429 comes with %s, then it is not retried',
    async ([, headers], { fixture, makeApi }) => {
      const { api } = makeApi({ budget: 5000 });
      fixture.inject({ route: 'tags', fault: { kind: 'status', status: 429, headers: { ...headers } } });
      expect(await errorOf(api.listTags(page, scope()))).toMatchObject({ kind: 'http', status: 429, retryAfterMs: undefined });
      expect(fixture.calls('tags')).toBe(1);
    },
  );

  test('when Retry-After is an HTTP date, then the wait is the time until it; other texts are unusable', () => {
    const wait = parseRetryAfter(new Date(Date.now() + 5000).toUTCString());
    expect(wait).toBeGreaterThan(3000);
    expect(wait).toBeLessThanOrEqual(5000);
    expect(parseRetryAfter(new Date(Date.now() - 5000).toUTCString())).toBe(0);
    expect(parseRetryAfter('7')).toBe(7000);
    expect(['', 'soon', '-5', '1.5', '2026-01-01', 'Tomorrow'].map((text) => parseRetryAfter(text))).toEqual(Array(6).fill(undefined));
  });

  test.for([
    [401, 'unauthenticated'],
    [403, 'forbidden'],
  ] as const)('when the upstream answers %i, then the error kind is %s and it is not retried', async ([status, kind], { fixture, makeApi }) => {
    const { api } = makeApi();
    fixture.inject({ route: 'tags', fault: { kind: 'status', status } });
    expect(await errorOf(api.listTags(page, scope('some-key')))).toMatchObject({ kind, status, route: 'tags' });
    expect(fixture.calls('tags')).toBe(1);
  });

  test.for<[string, Fault, string]>([
    ['malformed JSON', { kind: 'malformed' }, 'parse'],
    ['an HTML maintenance page', { kind: 'html', status: 200 }, 'parse'],
    ['a body of the wrong shape', { kind: 'invalid-shape' }, 'invalid'],
  ])('when the body is %s, then the error kind is %s and names no URL', async ([, fault, kind], { fixture, makeApi }) => {
    const { api } = makeApi();
    fixture.inject({ route: 'tags', fault });
    const error = await errorOf(api.listTags(page, scope()));
    expect(error).toMatchObject({ kind, route: 'tags' });
    expect(error?.message).not.toContain('127.0.0.1');
  });

  test('when the upstream is too slow, then the call times out (after its retries)', async ({ fixture, makeApi }) => {
    const { api } = makeApi({ timeoutMs: 50, budget: 50 });
    fixture.inject({ route: 'tags', fault: { kind: 'slow', ms: 500 }, times: Infinity });
    expect(await errorOf(api.listTags(page, scope()))).toMatchObject({ kind: 'timeout' });
  });

  test('when the connection is reset, then the error kind is network', async ({ fixture, makeApi }) => {
    const { api } = makeApi({ budget: 0 });
    fixture.inject({ route: 'tags', fault: { kind: 'reset' } });
    expect(await errorOf(api.listTags(page, scope()))).toMatchObject({ kind: 'network' });
  });
});

describe('the call budget of a request', () => {
  const budgeted = (planned: number): CallScope => ({ credential: credentialFor(undefined), cost: emptyCost(), budget: { planned } });

  test('when a request has sent its planned calls, then the next call is refused without reaching the upstream, and cache hits stay free', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    const s = budgeted(1);
    await api.listTags(page, s);
    await expect(api.listTags({ limit: 3, page: 2 }, s)).rejects.toBeInstanceOf(CallBudgetSpent);
    expect(fixture.calls('tags')).toBe(1);
    await expect(api.listTags(page, s)).resolves.toBeDefined();
    expect(s.cost).toMatchObject({ calls: 1, cacheHits: 1 });
  });

  test('when a retry follows a failed call, then the budget charges the call once (retries are bounded by the attempts, not the plan)', async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    fixture.inject({ fault: { kind: 'status', status: 503 }, route: 'tags' });
    const s = budgeted(1);
    await api.listTags(page, s);
    expect(s.cost).toMatchObject({ calls: 2, retries: 1 });
  });

  test("when a request joins in flight a call that another request's budget refused, then it makes the call itself", async ({ fixture, makeApi }) => {
    const { api } = makeApi();
    const spent = budgeted(0);
    const other = budgeted(5);
    const [refused, answered] = await Promise.allSettled([api.listTags(page, spent), api.listTags(page, other)]);
    expect(refused.status).toBe('rejected');
    expect(answered.status).toBe('fulfilled');
    expect(fixture.calls('tags')).toBe(1);
    expect(other.cost.calls).toBe(1);
  });
});
