import { describe, expect } from 'vitest';
import { ModelPageDeepDocument } from '../../generated/graphql.js';
import { maxCallsForWindow } from '../../src/pagination/bounds.js';
import { estimateUpstreamCalls } from '../../src/plugins/query-cost.js';
import { ASSUMED_ITEMS } from '../../src/schema/cost.js';
import { UPSTREAM_COST_FACTS } from '../../src/upstream/index.js';

const CALLS_PER_LOOKUP = { Model: UPSTREAM_COST_FACTS.callsPerLookup.model, Creator: UPSTREAM_COST_FACTS.callsPerLookup.creator };
import { schema } from '../../src/schema/index.js';
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
  const plan = (query: string, variables?: Record<string, unknown>) => estimateUpstreamCalls(schema, parse(query), variables);
  const page = maxCallsForWindow(20, UPSTREAM_COST_FACTS.pageCaps.models);

  test('when queries are estimated, then fan-out multiplies and per-parent lookups are charged once per parent', () => {
    expect(plan('{ models(first: 20) { nodes { name } } }')).toBe(page);
    // image and modelCount share one creator lookup (up to CALLS_PER_LOOKUP.Creator calls).
    expect(plan('{ models(first: 20) { nodes { creator { modelCount image } } } }')).toBe(page + 20 * CALLS_PER_LOOKUP.Creator);
    // Tag counts: one lookup per tag, and one probe per operation.
    expect(plan('query ($n: Int) { models(first: $n) { nodes { tags { modelCount } } } }', { n: 10 })).toBe(
      maxCallsForWindow(10, UPSTREAM_COST_FACTS.pageCaps.models) + 10 * ASSUMED_ITEMS.tagsPerModel + 1,
    );
    expect(plan('{ model(id: 1) { modelVersions { createdAt updatedAt } } }')).toBe(CALLS_PER_LOOKUP.Model + ASSUMED_ITEMS.versionsPerModel);
    expect(plan('fragment F on Model { creator { modelCount } } { models(first: 5) { edges { node { ...F } } } }')).toBe(
      maxCallsForWindow(5, UPSTREAM_COST_FACTS.pageCaps.models) + 5 * CALLS_PER_LOOKUP.Creator,
    );
  });

  test('when a window asks for nothing, then it is planned at no call', () => {
    expect(plan('{ models(first: 0) { nodes { creator { image } } } tags(first: 0) { nodes { name } } }')).toBe(0);
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
