import { describe, expect } from 'vitest';
import { ModelPageDeepDocument } from '../../generated/graphql.js';
import { estimateUpstreamCalls } from '../../src/plugins/query-cost.js';
import { parse } from 'graphql';
import { test } from '../helpers/stack.js';

const limitOf = (r: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => r.errors?.map((e) => [e.extensions?.code, e.extensions?.limit]);

describe('query limits, checked before any upstream call', () => {
  test('when a query fans out past the budget of planned upstream calls, then QUERY_TOO_COSTLY', async ({ stack }) => {
    const query = '{ models(first: 100) { nodes { creator { models(first: 100) { nodes { tags { models(first: 100) { nodes { id } } } } } } } } }';
    const result = await stack.client.execute(query);
    expect(result.data ?? null).toBeNull();
    expect(limitOf(result)).toEqual([['QUERY_TOO_COSTLY', 'cost']]);
    expect(result.errors?.[0]?.extensions?.planned).toBeGreaterThan(stack.config.limits.maxUpstreamCalls);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when the 50-model page with every nested field is asked, then it is within the default budget', async ({ stack }) => {
    const result = await stack.client.execute(ModelPageDeepDocument, { first: 50 });
    expect(result.errors).toBeUndefined();
  });

  test('when a query is too deep, has too many aliases or tokens, or is too large, then QUERY_TOO_COSTLY names the limit', async ({ stack }) => {
    const deep = '{ models(first: 1) { nodes { modelVersions { model { modelVersions { model { modelVersions { model { modelVersions { model { modelVersions { model { name } } } } } } } } } } } } }';
    expect(limitOf(await stack.client.execute(deep))).toEqual([['QUERY_TOO_COSTLY', 'depth']]);
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: model(id: 64) { name }`).join(' ')} }`;
    expect(limitOf(await stack.client.execute(aliases))).toEqual([['QUERY_TOO_COSTLY', 'aliases']]);
    const tokens = `{ ${'__typename '.repeat(3000)} }`;
    expect(limitOf(await stack.client.execute(tokens))).toEqual([['QUERY_TOO_COSTLY', 'tokens']]);
    const huge = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(200_000) }) });
    expect(huge.status).toBe(413);
    expect(stack.fixture.calls()).toBe(0);
  });
});

describe('the plan of upstream calls', () => {
  test('when queries are estimated, then fan-out multiplies and per-parent lookups are charged once per parent', () => {
    expect(estimateUpstreamCalls(parse('{ models(first: 20) { nodes { name } } }'))).toBe(2);
    expect(estimateUpstreamCalls(parse('{ models(first: 20) { nodes { creator { modelCount image } } } }'))).toBe(22);
    expect(estimateUpstreamCalls(parse('query ($n: Int) { models(first: $n) { nodes { tags { modelCount } } } }'), { n: 10 })).toBe(2 + 10 * 8);
    expect(estimateUpstreamCalls(parse('{ model(id: 1) { modelVersions { createdAt updatedAt } } }'))).toBe(1 + 4);
    expect(estimateUpstreamCalls(parse('fragment F on Model { creator { modelCount } } { models(first: 5) { edges { node { ...F } } } }'))).toBe(2 + 5);
  });
});

describe('the whole-result cache', () => {
  test('when an anonymous query repeats, then the repeat is served whole; with a key it never is', async ({ stack }) => {
    const query = '{ models(first: 4, sort: MOST_IMAGES) { nodes { id } } }';
    await stack.client.execute(query);
    stack.fixture.resetLog();
    await stack.client.execute(query);
    expect(stack.fixture.calls()).toBe(0);
    const [key] = Object.keys(stack.fixture.apiKeys);
    await stack.client.execute(query, {}, { authorization: `Bearer ${key}` });
    await stack.client.execute(query, {}, { authorization: `Bearer ${key}` });
    expect(stack.fixture.log.filter((e) => e.auth === 'valid').length).toBeGreaterThanOrEqual(2);
  });
});
