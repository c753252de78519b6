import { describe, expect } from 'vitest';
import { CreatorByUsernameDocument, CreatorListDocument, TagByNameDocument, TagListDocument } from '../../generated/graphql.js';
import { codes } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';
import { rawGet } from '../helpers/upstream.js';

test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0' } } });

interface RawCreators { items: Array<{ username: string; modelCount?: number; image?: string }>; metadata: { totalItems: number } }

describe('creators', () => {
  test('when creators are paged, then totals are exact, counts omitted upstream read 0, and 7 after the 12th is one call', async ({ stack }) => {
    const raw = await rawGet<RawCreators>(stack.fixture, '/creators?limit=200&page=1');
    stack.fixture.resetLog();
    const first = await stack.client.execute(CreatorListDocument, { first: 20 });
    expect(first.data?.creators!.totalCount).toBe(raw.metadata.totalItems);
    expect(first.data?.creators!.edges.map((e) => [e.node!.username, e.node!.modelCount])).toEqual(
      raw.items.slice(0, 20).map((c) => [c.username, c.modelCount ?? 0]),
    );
    stack.fixture.resetLog();
    const next = await stack.client.execute(CreatorListDocument, { first: 7, after: first.data?.creators!.edges[11]?.cursor });
    expect(next.data?.creators!.edges.map((e) => e.node!.username)).toEqual(raw.items.slice(12, 19).map((c) => c.username));
    expect(stack.fixture.calls()).toBe(1);
    const back = await stack.client.execute(CreatorListDocument, { last: 5, before: next.data?.creators!.pageInfo.startCursor });
    expect(back.data?.creators!.edges.map((e) => e.node!.username)).toEqual(raw.items.slice(7, 12).map((c) => c.username));
    const tail = await stack.client.execute(CreatorListDocument, { last: 3 });
    expect(tail.data?.creators!.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  test('when a creator is asked by username, then it comes with its count and its models', async ({ stack }) => {
    const raw = await rawGet<RawCreators>(stack.fixture, '/creators?limit=5&page=1');
    const wanted = raw.items[2];
    stack.fixture.resetLog();
    const result = await stack.client.execute(CreatorByUsernameDocument, { username: wanted?.username ?? '', first: 3 });
    expect(result.errors).toBeUndefined();
    expect(result.data?.creator).toMatchObject({ username: wanted?.username, modelCount: wanted?.modelCount ?? 0, image: wanted?.image ?? null });
    expect(result.data?.creator?.models!.nodes.every((m) => m!.creator?.username === wanted?.username)).toBe(true);
    expect(result.data?.creator?.models!.totalCount).toBeNull();
  });

  test('when a creator has only drafts, then modelCount is 0, not null', async ({ stack }) => {
    const drafted = stack.fixture.catalogue.users.at(-1);
    const result = await stack.client.execute(CreatorByUsernameDocument, { username: drafted?.username ?? '' });
    expect(result.data?.creator).toMatchObject({ username: drafted?.username, modelCount: 0 });
  });

  test('when the username does not exist or is bad, then NOT_FOUND or BAD_USER_INPUT', async ({ stack }) => {
    const missing = await stack.client.execute(CreatorByUsernameDocument, { username: 'no_such_creator_xyz' });
    expect(missing.data).toEqual({ creator: null });
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    stack.fixture.resetLog();
    const bad = await stack.client.execute(CreatorByUsernameDocument, { username: '  ' });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when a username carries URL syntax, then it is percent-encoded and cannot change the request', async ({ stack }) => {
    const result = await stack.client.execute(CreatorByUsernameDocument, { username: '../tags?x=1&limit=1#' });
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(stack.fixture.log.every((e) => e.route === 'creators')).toBe(true);
    expect(stack.fixture.log[0]?.url).toContain('query=..%2Ftags%3Fx%3D1%26limit%3D1%23');
  });
});

describe('tags', () => {
  test('when tags are paged, then there is no total, and whether more exist is inferred', async ({ stack }) => {
    const raw = await rawGet<{ items: Array<{ name: string }> }>(stack.fixture, '/tags?limit=200&page=1');
    stack.fixture.resetLog();
    const first = await stack.client.execute(TagListDocument, { first: 20 });
    expect(first.data?.tags!.totalCount).toBeNull();
    expect(first.data?.tags!.edges.map((e) => e.node!.name)).toEqual(raw.items.slice(0, 20).map((t) => t.name));
    expect(first.data?.tags!.pageInfo.hasNextPage).toBe(true);
    expect(stack.fixture.calls()).toBe(1);
    const last = await stack.client.execute(TagListDocument, { first: 100, after: first.data?.tags!.edges[raw.items.length - 101]?.cursor ?? first.data?.tags!.pageInfo.endCursor });
    expect(last.errors).toBeUndefined();
    const noTotal = await stack.client.execute(TagListDocument, { last: 5 });
    expect(codes(noTotal)).toEqual(['BAD_USER_INPUT']);
  });

  test('when a tag is searched, then the prefix matches come shortest first and the list ends', async ({ stack }) => {
    const result = await stack.client.execute(TagListDocument, { first: 50, query: 'style' });
    const names = result.data?.tags!.edges.map((e) => e.node!.name) ?? [];
    expect(names[0]).toBe('style');
    expect(names.every((n) => n.toLowerCase().startsWith('style'))).toBe(true);
    expect(result.data?.tags!.pageInfo.hasNextPage).toBe(false);
  });

  test('when a tag is asked by name, then it exists with a null count (the live API has none) and lists its models', async ({ stack }) => {
    const result = await stack.client.execute(TagByNameDocument, { name: 'League of Legends ', first: 100 });
    expect(result.errors).toBeUndefined();
    expect(result.data?.tag).toMatchObject({ name: 'League of Legends ', modelCount: null });
    const models = result.data?.tag?.models!.nodes ?? [];
    expect(models.map((m) => m!.civitaiId)).toContain(23);
    expect(models.every((m) => m!.tags.some((t) => t.name.toLowerCase() === 'league of legends '))).toBe(true);
  });

  test('when the tag does not exist, then NOT_FOUND', async ({ stack }) => {
    const result = await stack.client.execute(TagByNameDocument, { name: 'no-such-tag-xyz' });
    expect(result.data).toEqual({ tag: null });
    expect(codes(result)).toEqual(['NOT_FOUND']);
  });
});

describe('creators and tags over the 2022 API', () => {
  test.override({ stackOptions: { fixture: { mode: '2022' } } });

  test('when tags carry counts and totals, then modelCount and totalCount are reported', async ({ stack }) => {
    const raw = await rawGet<{ items: Array<{ name: string; modelCount: number }>; metadata: { totalItems: number } }>(stack.fixture, '/tags?limit=3&page=1');
    const result = await stack.client.execute(TagListDocument, { first: 3 });
    expect(result.data?.tags!.totalCount).toBe(raw.metadata.totalItems);
    expect(result.data?.tags!.edges.map((e) => [e.node!.name, e.node!.modelCount])).toEqual(raw.items.map((t) => [t.name, t.modelCount]));
    const tail = await stack.client.execute(TagListDocument, { last: 2 });
    expect(tail.data?.tags!.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });
});
