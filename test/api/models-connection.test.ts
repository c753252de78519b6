import { describe, expect } from 'vitest';
import { ModelListDocument, type ModelListQuery, type ModelListQueryVariables } from '../../generated/graphql.js';
import { requestLimit } from '../../src/pagination/policy.js';
import { MAX_MODELS_LIMIT } from '../../src/upstream/models.js';
import { codes, type GraphQLResponse } from '../helpers/execute.js';
import { test as stackTest, type Stack } from '../helpers/stack.js';
import { allModelIds, rawGet, replay } from '../helpers/upstream.js';

/** Upstream rows without a visible version are dropped after the limit: how many items `limit` rows show. */
async function visibleIn(stack: Stack, limit: number): Promise<number> {
  const page = await rawGet<{ items: unknown[] }>(stack.fixture, `/models?limit=${limit}`);
  stack.fixture.resetLog();
  return page.items.length;
}

type ListResult = GraphQLResponse<ModelListQuery>;
const ids = (r: ListResult) => r.data?.models!.edges.map((e) => e.node!.civitaiId) ?? [];

const test = stackTest.extend<{ list: (variables: ModelListQueryVariables) => Promise<ListResult>; reference: number[] }>({
  list: async ({ stack }, use) => use((variables) => stack.client.execute(ModelListDocument, variables)),
  /** Every visible model id of the default /models order, read straight from the upstream. */
  reference: async ({ stack }, use) => use(await allModelIds(stack.fixture)),
});

// No cross-request cache: every window must be served by its own upstream calls.
test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0' } } });

describe('Query.models over the live /models (cursor mode, no totals)', () => {
  test('when the first page is asked, then it holds the first models in upstream order, no total, one call', async ({ stack, list, reference }) => {
    // 20 wanted + the spare rows of the policy: one request unless more of them are dropped upstream.
    const short = (await visibleIn(stack, requestLimit({ skip: 0, remaining: 20, gathered: 0 }, MAX_MODELS_LIMIT))) < 20;
    const result = await list({ first: 20 });
    expect(result.errors).toBeUndefined();
    expect(ids(result)).toEqual(reference.slice(0, 20));
    expect(result.data?.models!.totalCount).toBeNull();
    expect(result.data?.models!.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(stack.fixture.calls()).toBe(short ? 2 : 1);
  });

  test('when every page is walked with endCursor, then each model comes exactly once, in order, with a call per page (more only after short upstream pages)', async ({ stack, list, reference }) => {
    const seen: number[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      stack.fixture.resetLog();
      const result = await list({ first: 100, after });
      expect(result.errors).toBeUndefined();
      seen.push(...ids(result));
      pages++;
      expect(stack.fixture.calls()).toBeLessThanOrEqual(pages === 1 ? 2 : 3);
      const info = result.data?.models!.pageInfo;
      if (!info?.hasNextPage) break;
      after = info.endCursor ?? null;
    }
    expect(seen).toEqual(reference);
    expect(pages).toBe(Math.ceil(reference.length / 100));
  });

  test('when 7 items are asked after the 12th, then one upstream request serves them', async ({ stack, list, reference }) => {
    // 12 skipped + 7 wanted + the spare rows of the policy: one request unless more are dropped.
    expect(await visibleIn(stack, requestLimit({ skip: 12, remaining: 7, gathered: 0 }, MAX_MODELS_LIMIT))).toBeGreaterThanOrEqual(19);
    const first = await list({ first: 20 });
    const twelfth = first.data?.models!.edges[11]?.cursor;
    stack.fixture.resetLog();
    const result = await list({ first: 7, after: twelfth });
    expect(ids(result)).toEqual(reference.slice(12, 19));
    expect(result.data?.models!.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(stack.fixture.calls()).toBe(1);
  });

  test('when paging backward from a later page, then the previous items come back in order', async ({ list, reference }) => {
    const one = await list({ first: 20 });
    const two = await list({ first: 20, after: one.data?.models!.pageInfo.endCursor });
    const three = await list({ first: 20, after: two.data?.models!.pageInfo.endCursor });
    expect(ids(three)).toEqual(reference.slice(40, 60));

    const back = await list({ last: 20, before: three.data?.models!.pageInfo.startCursor });
    expect(back.errors).toBeUndefined();
    expect(ids(back)).toEqual(reference.slice(20, 40));
    expect(back.data?.models!.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    const backAgain = await list({ last: 20, before: back.data?.models!.pageInfo.startCursor });
    expect(ids(backAgain)).toEqual(reference.slice(0, 20));
    expect(backAgain.data?.models!.pageInfo.hasPreviousPage).toBe(false);

    const within = await list({ last: 5, before: one.data?.models!.edges[10]?.cursor });
    expect(ids(within)).toEqual(reference.slice(5, 10));
  });

  test('when last is given without before, then BAD_USER_INPUT explains the upstream has no total', async ({ list }) => {
    const result = await list({ last: 5 });
    expect(result.data).toEqual({ models: null });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toMatch(/total count/);
  });

  test.for<[string, ModelListQueryVariables]>([
    ['a negative first', { first: -1 }],
    ['a huge first', { first: 1000 }],
    ['first with last', { first: 5, last: 5 }],
    ['a malformed cursor', { first: 5, after: 'not-a-cursor' }],
    ['a base64 cursor that is not ours', { first: 5, after: Buffer.from('{"v":1}').toString('base64url') }],
    ['an unknown type filter', { first: 5, types: ['UNKNOWN' as const] }],
    ['a rating above 5', { first: 5, rating: 9 }],
  ])('when the arguments carry %s, then BAD_USER_INPUT comes back before any upstream call', async ([_what, variables], { stack, list }) => {
    const result = await list(variables);
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when a cursor from another query is reused, then BAD_USER_INPUT says so before any upstream call', async ({ stack, list }) => {
    const sorted = await list({ first: 2, sort: 'NEWEST' });
    stack.fixture.resetLog();
    const result = await list({ first: 2, after: sorted.data?.models!.pageInfo.endCursor });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toMatch(/different query/);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when types are filtered, then they are sent repeated and every model has one of them', async ({ stack, list }) => {
    const result = await list({ first: 30, types: ['LORA', 'CHECKPOINT'] });
    expect(result.errors).toBeUndefined();
    const types = new Set(result.data?.models!.edges.map((e) => e.node!.type));
    expect([...types].every((t) => t === 'LORA' || t === 'CHECKPOINT')).toBe(true);
    expect(result.data?.models!.edges.length).toBe(30);
    expect(stack.fixture.log[0]?.url).toMatch(/types=Checkpoint&types=LORA|types=LORA&types=Checkpoint/);
  });

  test('when the creator or the tag does not exist, then the list is empty without an error', async ({ list }) => {
    const byUser = await list({ first: 5, username: 'nobody-by-this-name-xyz' });
    expect(byUser.errors).toBeUndefined();
    expect(byUser.data?.models).toMatchObject({ edges: [], pageInfo: { hasNextPage: false } });
    const byTag = await list({ first: 5, tag: 'no-such-tag-xyz' });
    expect(byTag.errors).toBeUndefined();
    expect(byTag.data?.models).toMatchObject({ edges: [], pageInfo: { hasNextPage: false } });
  });

  test('when a search is paged, then it follows the upstream cursor and refuses to page backward past its anchor', async ({ stack, list }) => {
    const one = await list({ first: 3, query: 'a' });
    expect(one.errors).toBeUndefined();
    expect(one.data?.models!.edges.length).toBe(3);
    const two = await list({ first: 3, query: 'a', after: one.data?.models!.pageInfo.endCursor });
    expect(ids(two)).not.toEqual(ids(one));
    expect(stack.fixture.log.every((entry: { url: string }) => !/[?&]page=/.test(entry.url))).toBe(true);
    // Within the upstream response an edge came from, backward paging works…
    const within = await list({ last: 3, query: 'a', before: two.data?.models!.pageInfo.startCursor });
    expect(ids(within)).toEqual(ids(one));
    // …but before that response's start, search results (cursor mode only) cannot go back.
    const far = await list({ first: 60, query: 'a', after: two.data?.models!.pageInfo.endCursor });
    stack.fixture.resetLog();
    const further = await list({ first: 60, query: 'a', after: far.data?.models!.pageInfo.endCursor });
    // An edge among the first 10 rows of an upstream response that started at an upstream
    // cursor (not the list start): the responses `further` was served from, asked again.
    const fromCursor = stack.fixture.log.filter((entry) => /[?&]cursor=/.test(entry.url));
    let fromNextResponse: { cursor: string } | undefined;
    for (const entry of fromCursor) {
      const early = new Set((await replay<{ items: Array<{ id: number }> }>(stack.fixture, entry)).items.slice(0, 10).map((m) => m.id));
      fromNextResponse ??= further.data?.models!.edges.find((e) => early.has(e.node!.civitaiId));
    }
    expect(fromNextResponse).toBeDefined();
    const back = await list({ last: 10, query: 'a', before: fromNextResponse?.cursor });
    expect(codes(back)).toEqual(['BAD_USER_INPUT']);
  });

  test('when nsfw is not asked, then only PG models are listed; with nsfw: true, NSFW-only ones appear too', async ({ stack, list, reference }) => {
    const nsfwIds = await allModelIds(stack.fixture, '&nsfw=true');
    expect(nsfwIds.length).toBeGreaterThan(reference.length);
    const result = await list({ first: 100, nsfw: true });
    expect(ids(result)).toEqual(nsfwIds.slice(0, 100));
    expect(stack.fixture.log.at(-1)?.url).toContain('nsfw=true');
  });
});

describe('Query.models over a 2022-style upstream (numbered pages with totals)', () => {
  test.override({ stackOptions: { fixture: { mode: '2022' }, env: { CACHE_MAX_BYTES: '0' } } });

  test('when pages of every level (nsfw: true) are asked forward and backward, then the totals are exact and the items match', async ({ stack }) => {
    const first = await rawGet<{ metadata: { totalItems: number } }>(stack.fixture, '/models?limit=200&page=1');
    const total = first.metadata.totalItems;
    const oldReference: number[] = [];
    for (let page = 1; (page - 1) * 200 < total; page++) {
      const body = await rawGet<{ items: Array<{ id: number }> }>(stack.fixture, `/models?limit=200&page=${page}`);
      oldReference.push(...body.items.map((m) => m.id));
    }
    stack.fixture.resetLog();
    // The 2022 API lists every level: with nsfw: true nothing is filtered here, so its totals hold.
    const run = (v: ModelListQueryVariables) => stack.client.execute(ModelListDocument, { ...v, nsfw: true });
    const one = await run({ first: 10 });
    expect(one.data?.models!.totalCount).toBe(oldReference.length);
    expect(one.data?.models!.edges.map((e) => e.node!.civitaiId)).toEqual(oldReference.slice(0, 10));
    const two = await run({ first: 7, after: one.data?.models!.edges[4]?.cursor });
    expect(two.data?.models!.edges.map((e) => e.node!.civitaiId)).toEqual(oldReference.slice(5, 12));
    const tail = await run({ last: 3 });
    expect(tail.data?.models!.edges.map((e) => e.node!.civitaiId)).toEqual(oldReference.slice(-3));
    expect(tail.data?.models!.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });
});
