import { describe, expect } from 'vitest';
import { parse } from 'graphql';
import { estimateUpstreamCalls } from '../../src/plugins/query-cost.js';
import { schema } from '../../src/schema/index.js';
import { test, type Stack } from '../helpers/stack.js';

/**
 * Issue 9, hole 3: fields hidden behind fragments on interfaces, named fragments, aliases or
 * directives are planned like any other, and the query is refused before any upstream call.
 */
// A server per test over a fixture whose log starts empty: "no upstream call" is this test's.
const it = test;

const inner = 'creator { models(first: 100, nsfw: true) { nodes { modelVersions { createdAt } } } }';

async function expectRefused(stack: Stack, query: string, variables?: Record<string, unknown>) {
  const result = await stack.client.execute(query, variables);
  expect(result.data ?? null).toBeNull();
  expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.limit])).toEqual([['QUERY_TOO_COSTLY', 'cost']]);
  expect(result.errors?.[0]?.extensions?.budget).toBe(stack.config.limits.maxUpstreamCalls);
  expect(result.errors?.[0]?.extensions?.planned).toBeGreaterThan(stack.config.limits.maxUpstreamCalls);
  expect(stack.fixture.calls()).toBe(0);
}

describe('the cost plan sees every way of writing a selection', () => {
  it('when the fan-out hides behind `... on Node { ... on Model }`, then it is refused before any upstream call', async ({ stack }) => {
    await expectRefused(stack, `{ models(first: 100, nsfw: true, sort: NEWEST) { nodes { ... on Node { ... on Model { ${inner} } } } } }`);
  });

  it('when it hides in a named fragment on Node, then it is refused', async ({ stack }) => {
    await expectRefused(stack, `fragment N on Node { ... on Model { ${inner} } } { models(first: 100, nsfw: true) { edges { node { ...N } } } }`);
  });

  it('when it hides in an inline fragment on the interface `nodes` returns, then it is refused', async ({ stack }) => {
    const ids = Array.from({ length: 20 }, (_, i) => Buffer.from(`Model:${1000 + i}`).toString('base64'));
    await expectRefused(stack, `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Model { ${inner} } } }`, { ids });
  });

  it('when aliased copies of a field are each within budget but not together, then they are refused', async ({ stack }) => {
    const copy = (i: number) => `a${i}: models(first: 100, nsfw: true) { nodes { creator { image } } }`;
    const single = estimateUpstreamCalls(schema, parse(`{ ${copy(0)} }`));
    expect(single).toBeLessThanOrEqual(stack.config.limits.maxUpstreamCalls);
    const copies = Math.floor(stack.config.limits.maxUpstreamCalls / single) + 1;
    await expectRefused(stack, `{ ${Array.from({ length: copies }, (_, i) => copy(i)).join(' ')} }`);
  });

  it('when the fan-out is behind `@include(if: $v)`, then it is refused with v true and planned without it with v false', async ({ stack }) => {
    const query = `query ($v: Boolean!) { models(first: 100, nsfw: true) { nodes { name ...@include(if: $v) { ${inner} } } } }`;
    await expectRefused(stack, query, { v: true });
    const skipped = await stack.client.execute(query.replace('first: 100, nsfw', 'first: 2, nsfw'), { v: false });
    expect(skipped.errors).toBeUndefined();
  });

  it('when the page size comes from a variable with a default, then the default is planned', async ({ stack }) => {
    await expectRefused(stack, `query ($n: Int = 100) { models(first: $n, nsfw: true) { nodes { ... on Model { ${inner} } } } }`);
  });
});

describe('an empty window', () => {
  it('when a connection asks for first: 0, then it answers an empty page without any upstream call', async ({ stack }) => {
    const result = await stack.client.execute(
      '{ models(first: 0) { totalCount nodes { name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } creators(first: 0) { nodes { username } } tags(last: 0) { nodes { name } } }',
    );
    expect(result.errors).toBeUndefined();
    const empty = { nodes: [] };
    expect(result.data).toEqual({
      models: { totalCount: null, nodes: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } },
      creators: empty,
      tags: empty,
    });
    expect(stack.fixture.calls()).toBe(0);
  });
});
