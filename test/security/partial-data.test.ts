/**
 * Hole 4 (issue 9): one failing connection, or one malformed id in `nodes`, fails alone; the rest
 * of the query keeps its data. Through HTTP, with faults injected into the fixture upstream.
 */
import { describe, expect } from 'vitest';
import { codes } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0', UPSTREAM_MAX_ATTEMPTS: '1' } } });

const gid = (type: string, id: string | number) => Buffer.from(`${type}:${id}`).toString('base64');
const FAILURE = { kind: 'status', status: 500 } as const;

describe('partial data', () => {
  test('when /tags fails, then `tags` is null with its own error and the model next to it keeps its data', async ({ stack }) => {
    stack.fixture.inject({ fault: FAILURE, route: 'tags', times: Infinity });
    const result = await stack.client.execute('{ m: model(id: 23) { name } t: tags(first: 2) { nodes { name } } }');
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ m: { name: expect.any(String) }, t: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.path).toEqual(['t']);
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  test('when /creators fails, then `creators` alone is null', async ({ stack }) => {
    stack.fixture.inject({ fault: FAILURE, route: 'creators', times: Infinity });
    const result = await stack.client.execute('{ m: model(id: 23) { name } creators(first: 2) { nodes { username } } }');
    expect(result.data).toEqual({ m: { name: expect.any(String) }, creators: null });
    expect(result.errors?.map((e) => e.path)).toEqual([['creators']]);
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  test('when /models fails, then `models` alone is null and the tags beside it keep their data', async ({ stack }) => {
    stack.fixture.inject({ fault: FAILURE, route: 'models', times: Infinity });
    const result = await stack.client.execute('{ models(first: 2) { nodes { name } } tags(first: 2) { nodes { name } } }');
    expect((result.data as { models: unknown }).models).toBeNull();
    expect((result.data as { tags: { nodes: unknown[] } }).tags.nodes).toHaveLength(2);
    expect(result.errors?.map((e) => e.path)).toEqual([['models']]);
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  test("when a creator's models fail, then `Creator.models` alone is null and the creator keeps its other fields", async ({ stack }) => {
    const found = await stack.client.execute('{ creators(first: 1) { nodes { username } } }');
    const username = (found.data as { creators: { nodes: Array<{ username: string }> } }).creators.nodes[0]!.username;
    stack.fixture.inject({ fault: FAILURE, route: 'models', times: Infinity });
    const result = await stack.client.execute(`query($u: String!) { creator(username: $u) { username models(first: 2) { nodes { name } } } }`, { u: username });
    expect(result.data).toEqual({ creator: { username, models: null } });
    expect(result.errors?.map((e) => e.path)).toEqual([['creator', 'models']]);
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  test("when a tag's models fail, then `Tag.models` alone is null and the tag keeps its name", async ({ stack }) => {
    const found = await stack.client.execute('{ tags(first: 1) { nodes { name } } }');
    const name = (found.data as { tags: { nodes: Array<{ name: string }> } }).tags.nodes[0]!.name;
    stack.fixture.inject({ fault: FAILURE, route: 'models', times: Infinity });
    const result = await stack.client.execute(`query($n: String!) { tag(name: $n) { name models(first: 2) { nodes { name } } } }`, { n: name });
    expect(result.data).toEqual({ tag: { name, models: null } });
    expect(result.errors?.map((e) => e.path)).toEqual([['tag', 'models']]);
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  test('when `nodes` gets [good, malformed, good], then it answers [object, null, object] with one BAD_USER_INPUT at that index', async ({ stack }) => {
    const result = await stack.client.execute('query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Model { name } } }', {
      ids: [gid('Model', 23), 'not-a-global-id!', gid('Model', 64)],
    });
    expect(result.status).toBe(200);
    const nodes = (result.data as { nodes: Array<{ id: string; name: string } | null> }).nodes;
    expect(nodes).toHaveLength(3);
    expect(nodes[0]).toEqual({ id: gid('Model', 23), name: expect.any(String) });
    expect(nodes[1]).toBeNull();
    expect(nodes[2]).toEqual({ id: gid('Model', 64), name: expect.any(String) });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.path).toEqual(['nodes', 1]);
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    // The malformed id reaches no upstream: the two models come in one batched lookup.
    expect(stack.fixture.calls()).toBe(1);
  });

  test('when `nodes` gets ids that decode but name a bad key, then each fails alone (a creator with a control character, a model id past 32 bits)', async ({ stack }) => {
    const result = await stack.client.execute('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: [gid('Creator', 'a\u0007b'), gid('Model', 23), gid('Model', 99999999999)],
    });
    expect(result.data).toEqual({ nodes: [null, { id: gid('Model', 23) }, null] });
    expect(result.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['nodes', 0], 'BAD_USER_INPUT'],
      [['nodes', 2], 'BAD_USER_INPUT'],
    ]);
    expect(JSON.stringify(result.errors)).not.toContain('\u0007');
  });

  test('when `node` gets a malformed id, then it is null with BAD_USER_INPUT and the fields beside it keep their data', async ({ stack }) => {
    const result = await stack.client.execute('{ node(id: "%%%") { id } m: model(id: 23) { name } }');
    expect(result.data).toEqual({ node: null, m: { name: expect.any(String) } });
    expect(result.errors?.map((e) => e.path)).toEqual([['node']]);
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
  });

  test('when `nodes` holds malformed ids, then the cost plan still counts the good ones and a too-costly list is refused before any call', async ({ stack }) => {
    const ids = [...Array.from({ length: 40 }, (_, k) => gid('ModelVersion', 1000 + k)), 'x'];
    const result = await stack.client.execute('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids }, { 'x-upstream-cost': '1' });
    const cost = result.extensions?.cost as { calls: number; planned?: number } | undefined;
    expect(cost?.planned).toBe(40);
    expect(cost?.calls).toBeLessThanOrEqual(40);
    expect(cost?.calls).toBeGreaterThan(0);
    expect(result.errors?.filter((e) => e.extensions?.code === 'BAD_USER_INPUT').map((e) => e.path)).toEqual([['nodes', 40]]);
  });
});
