/**
 * @defer and @stream through HTTP: the answer is multipart/mixed, the list arrives first, the
 * deferred or streamed rest follows, and the merged parts equal the same query without the
 * directives. The upstream-call estimate counts what is deferred.
 */
import { parse } from 'graphql';
import { describe, expect } from 'vitest';
import { estimateUpstreamCalls } from '../../src/plugins/query-cost.js';
import { schema } from '../../src/schema/index.js';
import { test, type Stack } from '../helpers/stack.js';
import { mergeIncremental, parseMultipart } from './multipart.js';

const DEFERRED = /* GraphQL */ `
  query Page {
    models(first: 5, sort: NEWEST) {
      nodes {
        id
        name
        ... @defer(label: "creator") { creator { username modelCount } }
      }
    }
  }
`;
const PLAIN = DEFERRED.replace(' @defer(label: "creator")', '');

/** A server per test, so no test reads what another one cached. */
const it = test;

const STREAMED = /* GraphQL */ `
  query Streamed {
    models(first: 6, sort: NEWEST) {
      nodes @stream(initialCount: 2) { id name }
    }
  }
`;

describe('@defer and @stream', () => {
  // No whole-result cache: every request here executes.
  test.override({ stackOptions: { env: { RESPONSE_CACHE_ENTRIES: '0' } } });

  async function incremental(stack: Stack, query: string) {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed; deferSpec=20220824, application/json' },
      body: JSON.stringify({ query }),
    });
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, type, parts: parseMultipart(type, await response.text()) };
  }

  it('when a models page defers creator { modelCount }, then the list comes first, each creator follows, and the whole equals the plain query', async ({ stack }) => {
    const plain = await stack.client.execute(PLAIN);
    expect(plain.errors).toBeUndefined();
    const { status, type, parts } = await incremental(stack, DEFERRED);
    expect(status).toBe(200);
    expect(type).toMatch(/^multipart\/mixed/);
    const initial = parts[0] as { data: { models: { nodes: Array<Record<string, unknown>> } }; hasNext: boolean };
    expect(initial.hasNext).toBe(true);
    expect(initial.data.models.nodes).toHaveLength(5);
    expect(initial.data.models.nodes.every((n) => Object.keys(n).sort().join() === 'id,name')).toBe(true);
    const increments = parts.slice(1).flatMap((p) => p.incremental ?? []);
    expect(increments.map((i) => [i.label, i.path])).toEqual(
      expect.arrayContaining([0, 1, 2, 3, 4].map((index) => ['creator', ['models', 'nodes', index]])),
    );
    expect(increments).toHaveLength(5);
    expect(parts.at(-1)?.hasNext).toBe(false);
    expect(mergeIncremental(parts)).toEqual(plain.data);
  });

  it('when a list is streamed with initialCount 2, then two items come first and the rest follow in order', async ({ stack }) => {
    const plain = await stack.client.execute(STREAMED.replace(' @stream(initialCount: 2)', ''));
    const { parts } = await incremental(stack, STREAMED);
    const initial = parts[0] as { data: { models: { nodes: unknown[] } }; hasNext: boolean };
    expect(initial.data.models.nodes).toHaveLength(2);
    expect(initial.hasNext).toBe(true);
    expect(parts.slice(1).flatMap((p) => p.incremental ?? []).flatMap((i) => i.items ?? [])).toHaveLength(4);
    expect(mergeIncremental(parts)).toEqual(plain.data);
  });

  it('when a client cannot read multipart, then a deferred query is refused with 406 instead of half an answer', async ({ stack }) => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: DEFERRED }),
    });
    expect(response.status).toBe(406);
  });
});

describe('@defer with the whole-result cache on (the default)', () => {
  it('when a deferred query is repeated, then the repeat still merges to the plain answer', async ({ stack }) => {
    const plain = await stack.client.execute(PLAIN);
    const run = async () => {
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'multipart/mixed, application/json' },
        body: JSON.stringify({ query: DEFERRED }),
      });
      const type = response.headers.get('content-type') ?? '';
      const text = await response.text();
      return type.startsWith('multipart/') ? mergeIncremental(parseMultipart(type, text)) : (JSON.parse(text) as { data: unknown }).data;
    };
    expect(await run()).toEqual(plain.data);
    expect(await run()).toEqual(plain.data);
  });
});

describe('the upstream-call limit sees deferred fragments', () => {
  const EXPENSIVE = /* GraphQL */ `
    query {
      models(first: 50) {
        nodes {
          id
          ... @defer { creator { models(first: 20) { nodes { id } } } }
        }
      }
    }
  `;
  const withoutDefer = EXPENSIVE.replace(' @defer', '');
  const withoutFragment = /* GraphQL */ `query { models(first: 50) { nodes { id } } }`;
  const budget = estimateUpstreamCalls(schema, parse(withoutFragment), {}, undefined);
  test.override({ stackOptions: { env: { MAX_UPSTREAM_CALLS: String(budget) } } });

  it('when the costly part is deferred, then the estimate is the same as without @defer', () => {
    const deferred = estimateUpstreamCalls(schema, parse(EXPENSIVE), {}, undefined);
    expect(deferred).toBe(estimateUpstreamCalls(schema, parse(withoutDefer), {}, undefined));
    expect(deferred).toBeGreaterThan(estimateUpstreamCalls(schema, parse(withoutFragment), {}, undefined));
  });

  it('when a deferred fragment alone breaks MAX_UPSTREAM_CALLS, then QUERY_TOO_COSTLY comes before any upstream call', async ({ stack }) => {
    const fine = await stack.client.execute(withoutFragment);
    expect(fine.errors).toBeUndefined();
    const before = stack.fixture.log.length;
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed, application/json' },
      body: JSON.stringify({ query: EXPENSIVE }),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const body = (type.startsWith('multipart/') ? parseMultipart(type, text)[0] : JSON.parse(text)) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
    expect(body.errors?.map((e) => [e.extensions?.['code'], e.extensions?.['limit']])).toEqual([['QUERY_TOO_COSTLY', 'cost']]);
    expect(stack.fixture.log.length).toBe(before);
  });
});
