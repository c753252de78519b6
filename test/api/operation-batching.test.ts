/**
 * Operation batching (Apollo's BatchHttpLink): a JSON array of operations in one POST, answered
 * by an array of results in order. The array is bounded (MAX_BATCH), each operation is planned
 * and limited as a single one, and the planned upstream calls of the whole batch share one
 * MAX_UPSTREAM_CALLS: a batch cannot multiply the bound.
 */
import { ApolloClient, InMemoryCache, gql } from '@apollo/client';
import { BatchHttpLink } from '@apollo/client/link/batch-http';
import { describe, expect } from 'vitest';
import { test, type Stack } from '../helpers/stack.js';

const it = test;

type Result = { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> };

async function batch(stack: Stack, operations: Array<{ query: string; variables?: Record<string, unknown> }>) {
  const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(operations) });
  return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Result[] | Result };
}

const A = '{ models(first: 5, sort: NEWEST) { nodes { id } } }';
const B = '{ models(first: 5, sort: MOST_DOWNLOADED) { nodes { id } } }';

describe('operation batching', () => {
  it('when Apollo sends a batch, then each operation is answered in order, as it would be alone, and the batch is never stored', async ({ stack }) => {
    const alone = await Promise.all([A, B, '{ tag(name: "anime") { name } }'].map((query) => stack.client.execute(query)));
    const first = await batch(stack, [{ query: A }, { query: B }, { query: 'query T($n: String!) { tag(name: $n) { name } }', variables: { n: 'anime' } }]);
    expect(first.status).toBe(200);
    expect(first.body).toEqual(alone.map((r) => ({ data: r.data })));
    expect(first.cacheControl).toBe('no-store');
    // A repeat (warm front, whole-result cache) answers the same array.
    const again = await batch(stack, [{ query: A }, { query: B }, { query: 'query T($n: String!) { tag(name: $n) { name } }', variables: { n: 'anime' } }]);
    expect(again.body).toEqual(first.body);
    const swapped = await batch(stack, [{ query: B }, { query: A }]);
    expect(swapped.body).toEqual([first.body as Result[]][0]!.slice(0, 2).reverse());
  });

  it("when Apollo Client's BatchHttpLink sends three queries at once, then they go as one request and each gets its data", async ({ stack }) => {
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const client = new ApolloClient({ link: new BatchHttpLink({ uri: stack.url, batchMax: 10, batchInterval: 20, fetch: counting }), cache: new InMemoryCache() });
    const [a, b, t] = await Promise.all([
      client.query({ query: gql(A) }),
      client.query({ query: gql(B) }),
      client.query({ query: gql('query T($n: String!) { tag(name: $n) { name } }'), variables: { n: 'anime' } }),
    ]);
    expect(requests).toBe(1);
    expect((a.data as { models: { nodes: unknown[] } }).models.nodes).toHaveLength(5);
    expect((b.data as { models: { nodes: unknown[] } }).models.nodes).toHaveLength(5);
    expect((t.data as { tag: { name: string } }).tag.name.toLowerCase()).toBe('anime');
  });

  it('when a batch holds more operations than MAX_BATCH, then it is refused with a closed code before any upstream call', async ({ stack }) => {
    const over = await batch(stack, Array.from({ length: stack.config.limits.maxBatch + 1 }, (_, i) => ({ query: `{ model(id: ${i + 1}) { id } }` })));
    expect(over.status).toBe(413);
    const errors = (over.body as Result).errors ?? [];
    expect(errors.map((e) => [e.extensions?.['code'], e.extensions?.['limit']])).toEqual([['QUERY_TOO_COSTLY', 'batch']]);
    expect(stack.fixture.calls()).toBe(0);
  });

  it('when an operation of a batch is refused by a limit, then only that one fails', async ({ stack }) => {
    const deep = '{ models(first: 1) { nodes { modelVersions { model { modelVersions { model { modelVersions { model { modelVersions { model { modelVersions { model { name } } } } } } } } } } } } }';
    const { status, body } = await batch(stack, [{ query: A }, { query: deep }]);
    expect(status).toBe(200);
    const [ok, refused] = body as Result[];
    expect(ok?.errors).toBeUndefined();
    expect(refused?.errors?.map((e) => [e.extensions?.['code'], e.extensions?.['limit']])).toEqual([['QUERY_TOO_COSTLY', 'depth']]);
  });

  describe('with MAX_UPSTREAM_CALLS=4 (each operation below plans 3)', () => {
    test.override({ stackOptions: { env: { MAX_UPSTREAM_CALLS: '4' } } });

    it('when the planned calls of the whole batch exceed MAX_UPSTREAM_CALLS, then the operations past it are refused, each alone would pass', async ({ stack }) => {
      expect((await stack.client.execute(A)).errors).toBeUndefined();
      const calls = stack.fixture.calls();
      const { status, body } = await batch(stack, [{ query: B }, { query: '{ models(first: 5, sort: MOST_LIKED) { nodes { id } } }' }]);
      expect(status).toBe(200);
      const [first, second] = body as Result[];
      expect(first?.errors).toBeUndefined();
      expect(second?.errors?.map((e) => [e.extensions?.['code'], e.extensions?.['limit']])).toEqual([['QUERY_TOO_COSTLY', 'cost']]);
      expect(stack.fixture.calls() - calls).toBeLessThanOrEqual(4);
    });
  });

  describe('with MAX_BATCH=0', () => {
    test.override({ stackOptions: { env: { MAX_BATCH: '0' } } });

    it('when batching is off, then a batch is refused with BAD_REQUEST', async ({ stack }) => {
      const off = await batch(stack, [{ query: A }]);
      expect(off.status).toBe(400);
      expect(((off.body as Result).errors ?? []).map((e) => e.extensions?.['code'])).toEqual(['BAD_REQUEST']);
    });
  });
});
