import { parse } from 'graphql';
import { describe, expect } from 'vitest';
import type { FixtureUpstream } from '../../fixture/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { estimateUpstreamCalls } from '../../src/plugins/query-cost.js';
import { schema } from '../../src/schema/index.js';
import { createServer, type CivitaiGraphQLServer } from '../../src/server.js';
import { codes, createClient, type GraphQLClient } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

/**
 * Issue 9, hole 2: cursors are signed and bounded. Forged cursors are refused with
 * BAD_USER_INPUT before any upstream call, cursors of another secret too, replicas sharing
 * CURSOR_SECRET accept each other's, and no server-issued cursor makes a query exceed its plan.
 */

const SECRET = 'cursor-test-secret-0123456789abcdef';
// No cross-request cache: every window is served by its own upstream calls, all of them logged.
test.override({ stackOptions: { env: { CURSOR_SECRET: SECRET, CACHE_MAX_BYTES: '0' } } });

const MODELS = `query ($first: Int, $after: String, $last: Int, $before: String, $sort: ModelSort, $nsfw: Boolean) {
  models(first: $first, after: $after, last: $last, before: $before, sort: $sort, nsfw: $nsfw) {
    edges { cursor node { civitaiId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const CREATORS = `query ($first: Int, $after: String, $last: Int, $before: String) {
  creators(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { username } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const TAGS = `query ($first: Int, $after: String) { tags(first: $first, after: $after) { nodes { name } } }`;
const CREATOR_MODELS = `query ($after: String) { creators(first: 1) { nodes { models(first: 2, after: $after) { nodes { civitaiId } } } } }`;

interface Page<Node> {
  edges: Array<{ cursor: string; node: Node }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}
type Vars = Record<string, unknown>;

async function models(client: GraphQLClient, variables: Vars) {
  const result = await client.execute<{ models: Page<{ civitaiId: number }> | null }, Vars>(MODELS, variables);
  return { result, ids: result.data?.models?.edges.map((e) => e.node.civitaiId) ?? [], page: result.data?.models ?? undefined };
}

/** A second server over the same fixture upstream, with its own CURSOR_SECRET (or none). */
async function replica(upstream: FixtureUpstream, secret: string | undefined): Promise<{ server: CivitaiGraphQLServer; client: GraphQLClient }> {
  const config = loadConfig({
    CIVITAI_API_URL: upstream.url,
    LOG_LEVEL: 'silent',
    CACHE_MAX_BYTES: '0',
    ...(secret ? { CURSOR_SECRET: secret } : {}),
  });
  const server = createServer({ config, logger: createLogger('silent') });
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, client: createClient(url) };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('forged cursors are refused before any upstream call', () => {
  const forged: Array<[string, string, Vars]> = [
    ['the issue’s o=200000 (unsigned, computable scope)', MODELS, { first: 1, nsfw: true, after: b64({ v: 1, s: 'jlvqv8', o: 200_000, i: 1 }) }],
    ['the issue’s o=1000000', MODELS, { first: 1, nsfw: true, after: b64({ v: 1, s: 'jlvqv8', o: 1_000_000, i: 1 }) }],
    ['a huge index `d` walking the cursor chain', MODELS, { first: 5, after: b64({ v: 1, s: 'x', o: 5, a: '1|2|3', d: 1_000_000_000 }) }],
    ['an upstream cursor with URL syntax', MODELS, { first: 5, after: b64({ v: 1, s: 'x', o: 5, a: 'evil&nsfw=true', d: 0 }) }],
    ['the new format with a made-up MAC', MODELS, { first: 5, after: `${b64({ v: 2, s: 'abcd', o: 200_000, i: 1 })}.${'A'.repeat(22)}` }],
    ['backward from a forged deep offset', MODELS, { last: 5, before: b64({ v: 1, s: 'x', o: 200_000, i: 1 }) }],
    ['a creators offset that made page=142857142857144', CREATORS, { first: 7, after: b64({ v: 1, s: 'x', o: 1_000_000_000_000_000 }) }],
    ['a tags offset past every list', TAGS, { first: 7, after: b64({ v: 1, s: 'x', o: 99_999_999 }) }],
    ['a nested connection’s forged cursor', CREATOR_MODELS, { after: b64({ v: 1, s: 'x', o: 200_000, i: 1 }) }],
  ];

  test.for(forged)('when the cursor is %s, then BAD_USER_INPUT and 0 upstream calls', async ([_what, query, variables], { stack }) => {
    const result = await stack.client.execute(query, variables);
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toMatch(/cursor/);
    // The nested case reads its creator first; the forged cursor itself reaches nothing.
    expect(stack.fixture.log.filter((e) => e.route === 'models')).toEqual([]);
    if (query !== CREATOR_MODELS) expect(stack.fixture.calls()).toBe(0);
  });

  test('when a real cursor has its payload changed and its MAC kept, then BAD_USER_INPUT and 0 upstream calls', async ({ stack }) => {
    const { page } = await models(stack.client, { first: 3, nsfw: true });
    const [payload = '', mac = ''] = (page?.pageInfo.endCursor ?? '').split('.');
    const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    stack.fixture.resetLog();
    for (const change of [{ o: 200_000 }, { d: 99 }, { a: 'evil&nsfw=true' }, { i: 1 }]) {
      const { result } = await models(stack.client, { first: 1, nsfw: true, after: `${b64({ ...json, ...change })}.${mac}` });
      expect(codes(result), JSON.stringify(change)).toEqual(['BAD_USER_INPUT']);
    }
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when a cursor of one filter set is used with another, then BAD_USER_INPUT says so, 0 upstream calls', async ({ stack }) => {
    const { page } = await models(stack.client, { first: 2, nsfw: true });
    stack.fixture.resetLog();
    const { result } = await models(stack.client, { first: 2, after: page?.pageInfo.endCursor });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toMatch(/different query/);
    expect(stack.fixture.calls()).toBe(0);
  });
});

describe('real cursors keep working', () => {
  test('when a server pages models forward and back with its own cursors, then the windows line up', async ({ stack }) => {
    const one = await models(stack.client, { first: 5, nsfw: true });
    const two = await models(stack.client, { first: 5, nsfw: true, after: one.page?.pageInfo.endCursor });
    expect(two.result.errors).toBeUndefined();
    expect(two.ids).toHaveLength(5);
    expect(two.ids.some((id) => one.ids.includes(id))).toBe(false);
    const back = await models(stack.client, { last: 5, nsfw: true, before: two.page?.pageInfo.startCursor });
    expect(back.result.errors).toBeUndefined();
    expect(back.ids).toEqual(one.ids);
    // The cursors are signed: `payload.mac`.
    expect(one.page?.pageInfo.endCursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  });

  test('when a server pages creators forward and back, then the windows line up', async ({ stack }) => {
    const one = await stack.client.execute<{ creators: Page<{ username: string }> }, Vars>(CREATORS, { first: 4 });
    const two = await stack.client.execute<{ creators: Page<{ username: string }> }, Vars>(CREATORS, { first: 4, after: one.data?.creators.pageInfo.endCursor });
    const back = await stack.client.execute<{ creators: Page<{ username: string }> }, Vars>(CREATORS, { last: 4, before: two.data?.creators.pageInfo.startCursor });
    expect(back.errors).toBeUndefined();
    expect(back.data?.creators.edges.map((e) => e.node.username)).toEqual(one.data?.creators.edges.map((e) => e.node.username));
  });

  test('when a cursor comes from a server with another CURSOR_SECRET, then BAD_USER_INPUT and 0 upstream calls', async ({ stack, upstream }) => {
    const other = await replica(upstream, 'another-secret-0123456789abcdefghij');
    try {
      const { page } = await models(other.client, { first: 3, nsfw: true });
      upstream.resetLog();
      const { result } = await models(stack.client, { first: 3, nsfw: true, after: page?.pageInfo.endCursor });
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0]?.message).toMatch(/not valid/);
      expect(upstream.calls()).toBe(0);
    } finally {
      await other.server.close();
    }
  });

  test('when two replicas share CURSOR_SECRET, then each continues the other’s pages (forward and backward)', async ({ stack, upstream }) => {
    const twin = await replica(upstream, SECRET);
    try {
      const one = await models(stack.client, { first: 5, nsfw: true, sort: 'NEWEST' });
      const twoHere = await models(stack.client, { first: 5, nsfw: true, sort: 'NEWEST', after: one.page?.pageInfo.endCursor });
      const twoThere = await models(twin.client, { first: 5, nsfw: true, sort: 'NEWEST', after: one.page?.pageInfo.endCursor });
      expect(twoThere.result.errors).toBeUndefined();
      expect(twoThere.ids).toEqual(twoHere.ids);
      const backHere = await models(stack.client, { last: 5, nsfw: true, sort: 'NEWEST', before: twoThere.page?.pageInfo.startCursor });
      expect(backHere.ids).toEqual(one.ids);
    } finally {
      await twin.server.close();
    }
  });
});

describe('no server-issued cursor makes a query exceed its plan', () => {
  test('when windows of many sizes follow and precede the cursors of whole walks, then upstream calls ≤ planned for every one', async ({ stack }) => {
    let checked = 0;
    let served = 0;
    for (const [sort, nsfw] of [['HIGHEST_RATED', true], ['NEWEST', false]] as const) {
      // Every cursor of the first 300 models, as a client paging forward receives them.
      const cursors: string[] = [];
      let after: string | null = null;
      while (cursors.length < 300) {
        const { page }: { page: Page<unknown> | undefined } = await models(stack.client, { first: 100, sort, nsfw, after });
        cursors.push(...(page?.edges.map((e) => e.cursor) ?? []));
        if (!page?.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(cursors.length).toBeGreaterThan(100);
      for (let k = 0; k < cursors.length; k += 13) {
        const size = [1, 7, 20, 50, 100][k % 5] as number;
        for (const variables of [
          { first: size, after: cursors[k] },
          { last: size, before: cursors[k] },
        ]) {
          const all = { ...variables, sort, nsfw };
          const planned = estimateUpstreamCalls(schema, parse(MODELS), all);
          stack.fixture.resetLog();
          const { result } = await models(stack.client, all);
          expect(codes(result).every((code) => code === 'BAD_USER_INPUT')).toBe(true);
          if (!result.errors) served++;
          expect(stack.fixture.calls(), JSON.stringify(all)).toBeLessThanOrEqual(planned);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
    // Most are served (backward windows past Civitai's page-mode end may be refused).
    expect(served).toBeGreaterThan(checked * 0.75);
  });
});
