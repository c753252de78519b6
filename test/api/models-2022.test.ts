/** Issue 10 §1: `models` over a 2022-style upstream (numbered pages, totals, no `nsfw` parameter, no cursors). */
import { describe, expect } from 'vitest';
import { FilteredModelsDocument, type FilteredModelsQuery, type FilteredModelsQueryVariables } from '../../generated/graphql.js';
import type { GraphQLResponse } from '../helpers/execute.js';
import { maxCallsForWindow } from '../../src/pagination/bounds.js';
import { MAX_MODELS_LIMIT } from '../../src/upstream/models.js';
import { codes } from '../helpers/execute.js';
import { test, type Stack } from '../helpers/stack.js';
import { rawGet } from '../helpers/upstream.js';

test.override({ stackOptions: { fixture: { mode: '2022' }, env: { CACHE_MAX_BYTES: '0' } } });

type Item = { id: number; nsfw: boolean; modelVersions: Array<{ images: Array<{ nsfw: boolean }> }> };

/** Every item of a 2022 /models query, in order, read straight from the upstream. */
async function everything(stack: Stack, query = ''): Promise<Item[]> {
  const items: Item[] = [];
  for (let page = 1; ; page++) {
    const body = await rawGet<{ items: Item[]; metadata: { totalPages: number } }>(stack.fixture, `/models?limit=200&page=${page}${query}`);
    items.push(...body.items);
    if (page >= body.metadata.totalPages) break;
  }
  stack.fixture.resetLog();
  return items;
}

/** Walks a connection with `first` and endCursor; the upstream calls of each window. */
async function walk(stack: Stack, variables: FilteredModelsQueryVariables, first: number) {
  const ids: number[] = [];
  const calls: number[] = [];
  let after: string | null = null;
  for (let n = 0; n < 100; n++) {
    stack.fixture.resetLog();
    const result: GraphQLResponse<FilteredModelsQuery> = await stack.client.execute(FilteredModelsDocument, { ...variables, first, after });
    expect(result.errors).toBeUndefined();
    const models = result.data?.models;
    ids.push(...(models?.edges.map((e) => e.node!.civitaiId) ?? []));
    calls.push(stack.fixture.calls());
    if (!models?.pageInfo.hasNextPage) break;
    // Every window but the last is full.
    expect(models.edges).toHaveLength(first);
    after = models.pageInfo.endCursor ?? null;
  }
  return { ids, calls };
}

describe('Query.models over a 2022-style upstream', () => {
  test('when a search is paged with endCursor, then every match comes once, past the first 100, with bounded calls', async ({ stack }) => {
    const reference = (await everything(stack, '&query=a')).filter((m) => !m.nsfw).map((m) => m.id);
    expect(reference.length).toBeGreaterThan(250);
    const { ids, calls } = await walk(stack, { query: 'a' }, 100);
    expect(ids).toEqual(reference);
    expect(Math.max(...calls)).toBeLessThanOrEqual(maxCallsForWindow(100, MAX_MODELS_LIMIT));
    // It pages through the upstream's numbered pages.
    expect(stack.fixture.log.every((e) => /[?&]page=\d+/.test(e.url) || !/cursor=/.test(e.url))).toBe(true);
  });

  test('when a search of every level is paged, then it matches the upstream list exactly', async ({ stack }) => {
    const reference = (await everything(stack, '&query=a')).map((m) => m.id);
    const { ids } = await walk(stack, { query: 'a', nsfw: true }, 100);
    expect(ids).toEqual(reference);
  });

  test('when nsfw is not asked, then no NSFW model nor image is listed, windows stay full and calls bounded; the total is not claimed', async ({ stack }) => {
    const all = await everything(stack);
    expect(all.some((m) => m.nsfw)).toBe(true);
    const reference = all.filter((m) => !m.nsfw).map((m) => m.id);
    const first = await stack.client.execute(FilteredModelsDocument, { first: 50 });
    expect(first.data?.models?.totalCount).toBeNull();
    const nodes = first.data?.models?.edges.map((e) => e.node) ?? [];
    expect(nodes.every((m) => !m!.nsfw && m!.modelVersions.every((v) => v.images.every((i) => !i.nsfw)))).toBe(true);
    const { ids, calls } = await walk(stack, {}, 100);
    expect(ids).toEqual(reference);
    expect(Math.max(...calls)).toBeLessThanOrEqual(maxCallsForWindow(100, MAX_MODELS_LIMIT));
  });

  test('when nsfw: false is asked explicitly, then it means the same as leaving it out', async ({ stack }) => {
    const implicit = await stack.client.execute(FilteredModelsDocument, { first: 30 });
    const explicit = await stack.client.execute(FilteredModelsDocument, { first: 30, nsfw: false });
    expect(explicit.data?.models?.edges).toEqual(implicit.data?.models?.edges);
    expect(explicit.data?.models?.edges.every((e) => !e.node!.nsfw)).toBe(true);
  });

  test.for<[string, FilteredModelsQueryVariables]>([
    ['baseModels', { baseModels: ['SDXL 1.0'] }],
    ['checkpointType', { checkpointType: 'MERGE' }],
    ['allowCommercialUse', { allowCommercialUse: ['SELL'] }],
    ['allowNoCredit', { allowNoCredit: true }],
    ['supportsGeneration', { supportsGeneration: true }],
    ['earlyAccess', { earlyAccess: false }],
  ])('when the live-only filter %s is asked, then BAD_USER_INPUT names it; once the upstream is known, before any call', async ([name, variables], { stack }) => {
    const first = await stack.client.execute(FilteredModelsDocument, { first: 5, ...variables });
    expect(codes(first)).toEqual(['BAD_USER_INPUT']);
    expect(first.errors?.[0]?.message).toContain(`\`${name}\``);
    // The first answer showed a 2022-style upstream: now refused before any call.
    stack.fixture.resetLog();
    const again = await stack.client.execute(FilteredModelsDocument, { first: 5, ...variables });
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when primaryFileOnly is asked, then each version keeps its primary file only (applied here, both eras)', async ({ stack }) => {
    const result = await stack.client.execute(FilteredModelsDocument, { first: 20, nsfw: true, primaryFileOnly: true });
    expect(result.errors).toBeUndefined();
    const files = result.data?.models?.edges.flatMap((e) => e.node!.modelVersions.flatMap((v) => v.files)) ?? [];
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.primary)).toBe(true);
  });
});
