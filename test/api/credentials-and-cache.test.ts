import { describe, expect } from 'vitest';
import { test as stackTest, type Stack } from '../helpers/stack.js';

const gid = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

/** The fixture's two API keys and the key-only model each of them owns. */
interface Keys {
  alice: string;
  bob: string;
  aliceModel: number;
  bobModel: number;
}

const test = stackTest.extend<{ keys: Keys }>({
  keys: async ({ stack }, use) => {
    const [alice, bob] = Object.keys(stack.fixture.apiKeys) as [string, string];
    const ownerOf = (key: string) => stack.fixture.catalogue.users.find((u) => u.username === stack.fixture.apiKeys[key])?.id;
    const ownModel = (key: string) => stack.fixture.catalogue.models.find((m) => m.ownerOnly && m.userId === ownerOf(key))?.id as number;
    await use({ alice, bob, aliceModel: ownModel(alice), bobModel: ownModel(bob) });
  },
});

const asKey = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
const privateModels = `{ a: model(id: ALICE) { name } b: model(id: BOB) { name } }`;
const seeWhat = async (stack: Stack, keys: Keys, key?: string) => {
  const result = await stack.client.execute(privateModels.replace('ALICE', String(keys.aliceModel)).replace('BOB', String(keys.bobModel)), {}, asKey(key));
  const data = result.data as { a: { name: string } | null; b: { name: string } | null };
  return [data.a !== null, data.b !== null];
};

describe('credentials', () => {
  test('when anonymous, key A and key B ask in any order, then each sees exactly its own key-only content', async ({ stack, keys }) => {
    const { alice, bob } = keys;
    const order = [undefined, alice, bob, alice, undefined, bob, undefined];
    const seen = [];
    for (const key of order) seen.push(await seeWhat(stack, keys, key));
    expect(seen).toEqual([
      [false, false],
      [true, false],
      [false, true],
      [true, false],
      [false, false],
      [false, true],
      [false, false],
    ]);
  });

  test('when a client sends its key, then the upstream receives it; without one, no key is sent', async ({ stack, keys }) => {
    const { alice } = keys;
    await stack.client.execute(`{ models(first: 1) { nodes { id } } }`, {}, asKey(alice));
    await stack.client.execute(`{ tags(first: 1) { nodes { name } } }`);
    expect(stack.fixture.log.map((e) => [e.route, e.auth])).toEqual([
      ['models', 'valid'],
      ['tags', 'none'],
    ]);
  });

  test('when a key-holder lists models, then their key-only models appear in the list for them only', async ({ stack, keys }) => {
    const { alice, bob, aliceModel } = keys;
    const query = `{ models(first: 100, sort: NEWEST) { nodes { civitaiId } } }`;
    const ids = async (key?: string) =>
      ((await stack.client.execute(query, {}, asKey(key))).data as { models: { nodes: Array<{ civitaiId: number }> } }).models.nodes.map((n) => n.civitaiId);
    expect(await ids(alice)).toContain(aliceModel);
    expect(await ids()).not.toContain(aliceModel);
    expect(await ids(bob)).not.toContain(aliceModel);
  });

  test('when errors and cost are reported, then no key appears in them', async ({ stack, keys }) => {
    const { alice } = keys;
    stack.fixture.inject({ fault: { kind: 'status', status: 500 }, route: 'tags', times: 5 });
    const result = await stack.client.execute(`{ tags(first: 1) { nodes { name } } }`, {}, { ...asKey(alice), 'x-upstream-cost': '1' });
    const text = JSON.stringify(result);
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(text).not.toContain(alice);
    stack.fixture.clearFaults();
  });
});

describe('the cross-request cache', () => {
  test('when a query repeats, then the repeat makes no upstream call and says so in its cost', async ({ stack }) => {
    const query = `{ models(first: 30, sort: MOST_DOWNLOADED) { nodes { name creator { modelCount } tags { name } } } }`;
    await stack.client.execute(query);
    stack.fixture.resetLog();
    const again = await stack.client.execute(query, {}, { 'x-upstream-cost': '1' });
    expect(again.errors).toBeUndefined();
    expect(stack.fixture.calls()).toBe(0);
    expect(again.extensions?.cost).toMatchObject({ calls: 0 });
    expect((again.extensions?.cost as { cacheHits: number }).cacheHits).toBeGreaterThan(0);
  });

  test('when identical queries arrive together, then they share one upstream call', async ({ stack }) => {
    stack.fixture.setLatency(150);
    try {
      const query = `{ models(first: 3, sort: OLDEST, period: YEAR) { nodes { id } } }`;
      const results = await Promise.all(Array.from({ length: 6 }, () => stack.client.execute(query)));
      expect(results.every((r) => !r.errors)).toBe(true);
      // Each upstream request of the window (two after a short upstream page) went out once.
      const urls = stack.fixture.log.map((e) => e.url);
      expect(new Set(urls).size).toBe(urls.length);
      expect(urls.length).toBeLessThanOrEqual(2);
    } finally {
      stack.fixture.setLatency(0);
    }
  });

  test('when models come from a complete list, then looking one up by id costs nothing', async ({ stack }) => {
    const list = await stack.client.execute(`{ models(first: 20, nsfw: true, sort: MOST_LIKED) { nodes { civitaiId } } }`);
    const id = (list.data as { models: { nodes: Array<{ civitaiId: number }> } }).models.nodes[7]?.civitaiId as number;
    stack.fixture.resetLog();
    const one = await stack.client.execute(`{ node(id: "${gid('Model', id)}") { id } model(id: ${id}) { name } }`);
    expect(one.errors).toBeUndefined();
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when two credentials ask the same thing, then they never share a cache entry', async ({ stack, keys }) => {
    const { alice, bob } = keys;
    const query = `{ models(first: 5, sort: MOST_DISCUSSED) { nodes { id } } }`;
    await stack.client.execute(query);
    await stack.client.execute(query, {}, asKey(alice));
    await stack.client.execute(query, {}, asKey(bob));
    await stack.client.execute(query, {}, asKey(alice));
    // Anonymous once; each key every time, since the upstream marks keyed answers private.
    expect(stack.fixture.log.map((e) => e.auth)).toEqual(['none', 'valid', 'valid', 'valid']);
  });

  test('when many different queries run, then the cache stays within its byte bound', async ({ stack }) => {
    for (let i = 0; i < 40; i++) await stack.client.execute(`{ models(first: ${i + 1}, query: "a${i % 7}") { nodes { id } } }`);
    expect(stack.server.cache.bytes).toBeLessThanOrEqual(stack.config.cache.maxBytes);
  });

  describe('with a small cache and no whole-result cache', () => {
    test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '2000000', RESPONSE_CACHE_ENTRIES: '0' } } });

    test('when many different queries run, then the cache stays within its small byte bound', async ({ stack }) => {
      for (let i = 0; i < 30; i++) await stack.client.execute(`{ models(first: ${i + 20}) { nodes { id name } } }`);
      expect(stack.server.cache.bytes).toBeGreaterThan(0);
      expect(stack.server.cache.bytes).toBeLessThanOrEqual(2_000_000);
    });
  });
});
