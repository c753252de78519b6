import { describe, expect } from 'vitest';
import { IMAGE_BASE_MODELS, SERVER_BUSY, type FixtureUpstream } from '../../fixture/index.js';
import {
  CreatorImagesDocument,
  ImageByIdDocument,
  ImageFeedDocument,
  ImageFeedWithMetaDocument,
  ImageModelVersionsDocument,
  ModelImagesDocument,
  VersionGalleryDocument,
} from '../../generated/graphql.js';
import { createUpstreamCache } from '../../src/cache/index.js';
import { emptyCost } from '../../src/upstream/client.js';
import { createUpstreamApi } from '../../src/upstream/index.js';
import { credentialFor } from '../../src/upstream/transport.js';
import { codes } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';
import { maxCallsForWindow } from '../../src/pagination/bounds.js';
import { UPSTREAM_COST_FACTS } from '../../src/upstream/index.js';
import { rawGet } from '../helpers/upstream.js';

interface RawImage {
  id: number;
  url: string;
  hash: string;
  width: number;
  height: number;
  type: string;
  nsfw: boolean;
  nsfwLevel: string;
  browsingLevel: number;
  createdAt: string;
  postId: number;
  username: string | null;
  baseModel: string | null;
  modelVersionIds: number[];
  stats: { cryCount: number; laughCount: number; likeCount: number; dislikeCount: number; heartCount: number; commentCount: number };
  meta: unknown;
}
interface RawPage {
  items: RawImage[];
  metadata: { nextCursor?: string | number };
}

const gid = (type: string, id: string | number) => Buffer.from(`${type}:${id}`).toString('base64');

/** What `FeedImageFields` should read for an item of the fixture's own answer. */
function expected(i: RawImage) {
  return {
    id: gid('Image', i.id),
    civitaiId: i.id,
    url: i.url,
    hash: i.hash,
    width: i.width,
    height: i.height,
    type: i.type.toUpperCase(),
    nsfw: i.nsfw,
    nsfwLevel: i.browsingLevel,
    createdAt: new Date(i.createdAt).toISOString(),
    postId: i.postId,
    baseModel: i.baseModel,
    modelVersionIds: i.modelVersionIds,
    creator: i.username === null ? null : { username: i.username },
    stats: { ...i.stats, reactionCount: i.stats.likeCount + i.stats.heartCount + i.stats.laughCount + i.stats.cryCount },
  };
}

/** The fixture's answer to a query, read without leaving a trace in the request log. */
async function raw(fixture: FixtureUpstream, query: string): Promise<RawPage> {
  const page = await rawGet<RawPage>(fixture, `/images?${query}`);
  fixture.resetLog();
  return page;
}

const imageUrls = (fixture: FixtureUpstream) => fixture.log.filter((e) => e.route === 'images').map((e) => new URL(e.url, fixture.origin));

/** A version, a model and a user with enough PG images in the feed to page through. */
function subjects(fixture: FixtureUpstream) {
  const pg = fixture.catalogue.images.filter((i) => i.nsfwLevel === 1);
  const most = <K extends number>(key: (i: (typeof pg)[number]) => K) => {
    const counts = new Map<K, number>();
    for (const i of pg) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  };
  const versionId = most((i) => i.postedTo)[0] as number;
  const modelId = fixture.catalogue.versionById.get(versionId)?.model.id as number;
  const userId = most((i) => i.userId).find((id) => /^[A-Za-z0-9_]+$/.test(fixture.catalogue.userById.get(id)?.username ?? '')) as number;
  return { versionId, modelId, username: fixture.catalogue.userById.get(userId)?.username as string };
}

describe('Query.images', () => {
  test('when the feed is read without meta, then the window is the upstream\u2019s first page field by field, in one call without withMeta', async ({ stack }) => {
    const page = await raw(stack.fixture, 'limit=20');
    const result = await stack.client.execute(ImageFeedDocument, { first: 20 });
    expect(result.errors).toBeUndefined();
    expect(result.data?.images?.edges.map((e) => e.node)).toEqual(page.items.map(expected));
    expect(result.data?.images?.totalCount).toBeNull();
    expect(result.data?.images?.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(stack.fixture.calls('images')).toBe(1);
    expect(stack.fixture.calls()).toBe(1);
    expect(imageUrls(stack.fixture)[0]?.searchParams.has('withMeta')).toBe(false);
  });

  test('when images(first: 50) selects meta, then exactly one upstream call asks for withMeta and meta is Civitai\u2019s flat meta', async ({ stack }) => {
    const page = await raw(stack.fixture, 'limit=50&withMeta=true');
    const result = await stack.client.execute(ImageFeedWithMetaDocument, { first: 50 });
    expect(result.errors).toBeUndefined();
    expect(result.data?.images?.nodes).toEqual(page.items.map((i) => ({ civitaiId: i.id, meta: i.meta })));
    expect(page.items.some((i) => i.meta !== null)).toBe(true);
    // The figure of issue 10's closing note: one call for images(first: 50) with meta.
    expect(stack.fixture.calls()).toBe(1);
    expect(imageUrls(stack.fixture)[0]?.searchParams.get('withMeta')).toBe('true');
  });

  test('when meta is selected through a fragment on one alias only, then each alias has its own upstream key', async ({ stack }) => {
    const result = await stack.client.execute(`
      fragment M on Image { meta }
      { a: images(first: 5) { nodes { civitaiId } } b: images(first: 5) { edges { node { ...M } } } c: images(first: 5) { nodes { civitaiId } } }`);
    expect(result.errors).toBeUndefined();
    const urls = imageUrls(stack.fixture);
    expect(urls.map((u) => u.searchParams.get('withMeta') ?? 'absent').sort()).toEqual(['absent', 'true']);
    expect(stack.fixture.calls()).toBe(2);
  });

  test('when paged with endCursor, then windows continue the upstream order exactly, one call each', async ({ stack }) => {
    const first = await raw(stack.fixture, 'limit=30&nsfw=X&type=video');
    const second = await raw(stack.fixture, `limit=30&nsfw=X&type=video&cursor=${encodeURIComponent(String(first.metadata.nextCursor))}`);
    const all = [...first.items, ...second.items].map((i) => i.id);
    const one = await stack.client.execute(ImageFeedDocument, { first: 25, nsfw: 'X', type: 'VIDEO' });
    const two = await stack.client.execute(ImageFeedDocument, { first: 25, nsfw: 'X', type: 'VIDEO', after: one.data?.images?.pageInfo.endCursor });
    expect(two.errors).toBeUndefined();
    expect([...(one.data?.images?.edges ?? []), ...(two.data?.images?.edges ?? [])].map((e) => e.node!.civitaiId)).toEqual(all.slice(0, 50));
    expect(two.data?.images?.edges.every((e) => e.node!.type === 'VIDEO')).toBe(true);
    expect(two.data?.images?.pageInfo.hasPreviousPage).toBe(true);
    expect(stack.fixture.calls()).toBe(2);
  });

  test('when nsfw is X, then nsfwLevel is the numeric bitmask although /images sends a level name (XXX included)', async ({ stack }) => {
    const page = await raw(stack.fixture, 'limit=100&nsfw=X&sort=Oldest');
    const result = await stack.client.execute(ImageFeedDocument, { first: 100, nsfw: 'X', sort: 'OLDEST' });
    const levels = result.data?.images?.edges.map((e) => e.node!.nsfwLevel);
    expect(levels).toEqual(page.items.map((i) => i.browsingLevel));
    expect(new Set(levels).size).toBeGreaterThanOrEqual(3);
  });

  test('when an XXX image is read, then nsfwLevel is 16, although /images names it X like level 8', async ({ stack }) => {
    const page = await raw(stack.fixture, 'limit=200&nsfw=X&sort=Newest');
    const xxx = page.items.find((i) => i.browsingLevel === 16) as RawImage;
    expect(xxx.nsfwLevel).toBe('X');
    const result = await stack.client.execute(ImageByIdDocument, { id: gid('Image', xxx.id) });
    expect(result.data?.node).toMatchObject({ civitaiId: xxx.id, nsfw: true, nsfwLevel: 16 });
  });

  test('when only modelId is given, then the legacy path is followed: wrapped meta unwrapped, newest first for MOST_REACTIONS', async ({ stack }) => {
    const { modelId } = subjects(stack.fixture);
    const flat = await raw(stack.fixture, `modelId=${modelId}&limit=8&withMeta=true&flatMeta=true`);
    const one = await stack.client.execute(ImageFeedWithMetaDocument, { first: 5, modelId, sort: 'MOST_REACTIONS' });
    const two = await stack.client.execute(ImageFeedWithMetaDocument, { first: 3, modelId, sort: 'MOST_REACTIONS', after: one.data?.images?.pageInfo.endCursor });
    expect(two.errors).toBeUndefined();
    const nodes = [...(one.data?.images?.nodes ?? []), ...(two.data?.images?.nodes ?? [])];
    expect(nodes).toEqual(flat.items.map((i) => ({ civitaiId: i.id, meta: i.meta })));
    const ids = nodes.map((n) => n!.civitaiId);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(imageUrls(stack.fixture).every((u) => !u.searchParams.has('flatMeta') && u.searchParams.get('sort') === 'Most Reactions')).toBe(true);
    expect(stack.fixture.calls()).toBe(2);
  });

  test('when postId or period filter the feed, then they reach Civitai and the window is its answer (a post in its own order)', async ({ stack }) => {
    const post = stack.fixture.catalogue.images.find((i) => i.nsfwLevel === 1 && stack.fixture.catalogue.images.filter((j) => j.postId === i.postId && j.nsfwLevel === 1).length > 2)?.postId as number;
    const inPost = await raw(stack.fixture, `postId=${post}&limit=10`);
    const lastWeek = await raw(stack.fixture, 'period=Week&sort=Newest&limit=10');
    const result = await stack.client.execute(`query($post: Int) { p: images(postId: $post, first: 10) { nodes { civitaiId postId } } w: images(period: WEEK, sort: NEWEST, first: 10) { nodes { civitaiId } } }`, { post });
    expect(result.errors).toBeUndefined();
    const data = result.data as { p: { nodes: Array<{ civitaiId: number; postId: number }> }; w: { nodes: Array<{ civitaiId: number }> } };
    expect(data.p.nodes).toEqual(inPost.items.map((i) => ({ civitaiId: i.id, postId: post })));
    expect(data.p.nodes.length).toBeGreaterThan(2);
    expect(data.w.nodes.map((n) => n.civitaiId)).toEqual(lastWeek.items.map((i) => i.id));
    expect(stack.fixture.calls()).toBe(2);
    const all = await raw(stack.fixture, 'sort=Oldest&limit=1');
    expect(lastWeek.items.length).toBeGreaterThan(0);
    expect(lastWeek.items.map((i) => i.id)).not.toContain(all.items[0]?.id);
  });

  test('when type is UNKNOWN, then BAD_USER_INPUT before any call', async ({ stack }) => {
    const result = await stack.client.execute(ImageFeedDocument, { first: 5, type: 'UNKNOWN' });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when username breaks Civitai\u2019s rule, then BAD_USER_INPUT before any call', async ({ stack }) => {
    const result = await stack.client.execute(ImageFeedDocument, { first: 5, username: 'bad-name' });
    expect(result.data).toEqual({ images: null });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toMatch(/letters, numbers and _/);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when baseModels names one Civitai does not know, then BAD_USER_INPUT names it and lists every valid value', async ({ stack }) => {
    const result = await stack.client.execute(ImageFeedDocument, { first: 5, baseModels: ['SDXL 1.0', 'SD 9'] });
    expect(result.data).toEqual({ images: null });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    const message = result.errors?.[0]?.message ?? '';
    expect(message).toContain('"SD 9" is not a base model Civitai knows');
    for (const value of IMAGE_BASE_MODELS) expect(message).toContain(JSON.stringify(value));
    expect(stack.fixture.calls()).toBe(1);
    expect(imageUrls(stack.fixture)[0]?.searchParams.getAll('baseModels')).toEqual(['SD 9', 'SDXL 1.0']);
  });

  test('when baseModels are known, then only images of those base models come back', async ({ stack }) => {
    const page = await raw(stack.fixture, 'limit=40&baseModels=Pony&baseModels=SD%201.5');
    const result = await stack.client.execute(ImageFeedDocument, { first: 40, baseModels: ['Pony', 'SD 1.5'] });
    expect(result.data?.images?.edges.map((e) => e.node)).toEqual(page.items.map(expected));
    expect(new Set(page.items.map((i) => i.baseModel))).toEqual(new Set(['Pony', 'SD 1.5']));
  });

  test.for([
    ['last', { last: 5 }],
    ['before', { before: 'abc' }],
  ] as const)('when %s is given, then BAD_USER_INPUT (the feed pages forward only) before any call', async ([_what, args], { stack }) => {
    const result = await stack.client.execute(ImageFeedDocument, args);
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toMatch(/forward only/);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when Civitai says Server busy with Retry-After beyond the retry budget, then UPSTREAM_UNAVAILABLE after one call', async ({ stack }) => {
    stack.fixture.inject({ fault: SERVER_BUSY, route: 'images' });
    const result = await stack.client.execute(ImageFeedDocument, { first: 5 });
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(stack.fixture.calls()).toBe(1);
  });
});

describe('Query.images under a small call budget', () => {
  test.override({ stackOptions: { env: { MAX_UPSTREAM_CALLS: '2' } } });

  test('when the budget is below what images(first: 50) plans, then QUERY_TOO_COSTLY names the plan before any call', async ({ stack }) => {
    const refused = await stack.client.execute(ImageFeedWithMetaDocument, { first: 50 });
    expect(codes(refused)).toEqual(['QUERY_TOO_COSTLY']);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ limit: 'cost', planned: maxCallsForWindow(50, UPSTREAM_COST_FACTS.pageCaps.images), budget: 2 });
    expect(stack.fixture.calls()).toBe(0);
  });
});

describe('Query.images with the default retry budget', () => {
  test.override({ stackOptions: { env: { UPSTREAM_RETRY_BUDGET_MS: '3000' } } });

  test('when Civitai says Server busy once with Retry-After: 2, then the call is retried after it and the feed answers', async ({ stack }) => {
    stack.fixture.inject({ fault: SERVER_BUSY, route: 'images', times: 1 });
    const result = await stack.client.execute(ImageFeedDocument, { first: 5 }, { 'x-upstream-cost': '1' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.images?.edges).toHaveLength(5);
    expect(stack.fixture.log.map((e) => e.status)).toEqual([503, 200]);
    expect(result.extensions?.cost).toMatchObject({ calls: 2, retries: 1 });
  });
});

describe('Image as a node', () => {
  test('when an R image is fetched by global ID, then one call by imageId with every level and meta answers it', async ({ stack }) => {
    const image = stack.fixture.catalogue.images.find((i) => i.nsfwLevel === 4 && i.meta !== null && stack.fixture.catalogue.versionById.get(i.postedTo)?.model.status === 'Published' && !stack.fixture.catalogue.versionById.get(i.postedTo)?.model.poi && !stack.fixture.catalogue.versionById.get(i.postedTo)?.model.mode && !stack.fixture.catalogue.versionById.get(i.postedTo)?.model.ownerOnly);
    const page = await raw(stack.fixture, `imageId=${image?.id}&nsfw=X&withMeta=true&flatMeta=true`);
    expect(page.items).toHaveLength(1);
    const result = await stack.client.execute(ImageByIdDocument, { id: gid('Image', image?.id as number) });
    expect(result.errors).toBeUndefined();
    expect(result.data?.node).toEqual({ __typename: 'Image', ...expected(page.items[0] as RawImage), meta: page.items[0]?.meta });
    expect(stack.fixture.calls()).toBe(1);
    const url = imageUrls(stack.fixture)[0];
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({ imageId: String(image?.id), nsfw: 'X', limit: '1', withMeta: 'true' });
  });

  test('when an image id does not exist, then null with NOT_FOUND', async ({ stack }) => {
    const result = await stack.client.execute(ImageByIdDocument, { id: gid('Image', 2_000_000_001) });
    expect(result.data).toEqual({ node: null });
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(stack.fixture.calls()).toBe(1);
  });

  test('when feed ids go through nodes, then they round-trip, one lookup each', async ({ stack }) => {
    const feed = await stack.client.execute(`{ images(first: 3) { nodes { id civitaiId meta } } }`);
    const ids = (feed.data as { images: { nodes: Array<{ id: string }> } }).images.nodes.map((n) => n.id);
    stack.fixture.resetLog();
    const nodes = await stack.client.execute(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Image { civitaiId } } }`, { ids });
    expect((nodes.data as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id)).toEqual(ids);
    expect(stack.fixture.calls()).toBe(3);
    expect(imageUrls(stack.fixture).map((u) => Number(u.searchParams.get('imageId')))).toEqual(ids.map((id) => Number(Buffer.from(id, 'base64').toString().split(':')[1])));
  });

  test('when modelVersions are selected, then each used version is loaded once', async ({ stack }) => {
    const image = (await raw(stack.fixture, 'limit=200&nsfw=X')).items.find((i) => i.modelVersionIds.length >= 2) as RawImage;
    const result = await stack.client.execute(ImageModelVersionsDocument, { id: gid('Image', image.id) });
    expect(result.errors).toBeUndefined();
    expect(result.data?.node).toEqual({
      civitaiId: image.id,
      modelVersions: image.modelVersionIds.map((id) => ({ civitaiId: id, name: stack.fixture.catalogue.versionById.get(id)?.version.name })),
    });
    expect(stack.fixture.calls('images')).toBe(1);
    expect(stack.fixture.calls('model-version')).toBe(image.modelVersionIds.length);
  });
});

describe('the feed on Model, ModelVersion and Creator', () => {
  test('when Model.images is read, then it is the modelId feed (newest first), in one images call', async ({ stack }) => {
    const { modelId } = subjects(stack.fixture);
    const page = await raw(stack.fixture, `modelId=${modelId}&limit=10`);
    stack.fixture.resetLog();
    const result = await stack.client.execute(ModelImagesDocument, { id: modelId, first: 10, sort: 'MOST_COMMENTS' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.model?.images?.nodes).toEqual(page.items.map((i) => ({ civitaiId: i.id, modelVersionIds: i.modelVersionIds, createdAt: new Date(i.createdAt).toISOString() })));
    expect(stack.fixture.calls('images')).toBe(1);
    expect(imageUrls(stack.fixture)[0]?.searchParams.get('modelId')).toBe(String(modelId));
  });

  test('when ModelVersion.gallery is read, then it is the version\u2019s feed in its sort, and the version\u2019s own images keep their fields with a null imageId', async ({ stack }) => {
    const { versionId } = subjects(stack.fixture);
    const page = await raw(stack.fixture, `modelVersionId=${versionId}&limit=10&sort=Most%20Comments`);
    const result = await stack.client.execute(VersionGalleryDocument, { id: versionId, first: 10, sort: 'MOST_COMMENTS' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.modelVersion?.gallery?.nodes.map((n) => n!.civitaiId)).toEqual(page.items.map((i) => i.id));
    expect(result.data?.modelVersion?.images.length).toBeGreaterThan(0);
    // /model-versions/:id sends its images without ids: no global ID for them.
    expect(result.data?.modelVersion?.images.every((i) => i.imageId === null && i.civitaiId === null && typeof i.url === 'string')).toBe(true);
    expect(stack.fixture.calls('images')).toBe(1);
    expect(stack.fixture.calls('model-version')).toBe(1);
  });

  test('when version images come from a model list, then their imageId is the global ID of the feed image, which node resolves', async ({ stack }) => {
    const list = await stack.client.execute(`{ models(first: 3) { nodes { modelVersions { images { imageId civitaiId url } } } } }`);
    const images = (list.data as { models: { nodes: Array<{ modelVersions: Array<{ images: Array<{ imageId: string; civitaiId: number; url: string }> }> }> } }).models.nodes.flatMap((m) => m.modelVersions.flatMap((v) => v.images));
    const first = images[0];
    expect(first?.imageId).toBe(gid('Image', first?.civitaiId as number));
    const node = await stack.client.execute(ImageByIdDocument, { id: first?.imageId as string });
    expect(node.data?.node).toMatchObject({ __typename: 'Image', civitaiId: first?.civitaiId, url: first?.url });
  });

  test('when Creator.images is read, then it is the username feed', async ({ stack }) => {
    const { username } = subjects(stack.fixture);
    const page = await raw(stack.fixture, `username=${username}&limit=5&nsfw=Soft`);
    const result = await stack.client.execute(CreatorImagesDocument, { username, first: 5, nsfw: 'SOFT' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.creator?.images?.nodes).toEqual(page.items.map((i) => ({ civitaiId: i.id, creator: { username } })));
    expect(stack.fixture.calls('images')).toBe(1);
  });
});

describe('the feed’s two cursor shapes, through the upstream API', () => {
  test('when the legacy path (modelId alone) and the search path are walked by their own cursors, then each continues where the last page ended', async ({ upstream }) => {
    const api = createUpstreamApi({
      baseUrl: upstream.url,
      timeoutMs: 2000,
      retry: { maxAttempts: 1, baseDelayMs: 10, maxTotalWaitMs: 0 },
      cache: createUpstreamCache({ maxBytes: 0, staleMs: 0, ttlMs: { list: 1, entity: 1, notFound: 1 } }),
    });
    const scope = { credential: credentialFor(undefined), cost: emptyCost() };
    const { modelId } = subjects(upstream);
    for (const filters of [{ modelId }, { modelVersionId: subjects(upstream).versionId }]) {
      const whole = await api.listImages({ ...filters, limit: 12, withMeta: false }, scope);
      const first = await api.listImages({ ...filters, limit: 5, withMeta: false }, scope);
      const second = await api.listImages({ ...filters, limit: 7, cursor: first.nextCursor, withMeta: false }, scope);
      expect([...first.items, ...second.items].map((i) => i.id)).toEqual(whole.items.map((i) => i.id));
      expect(first.nextCursor).toMatch('modelId' in filters ? /^\d+$/ : /^5\|\d{13}$/);
      expect(first.total).toBeNull();
    }
    expect(scope.cost.calls).toBe(6);
  });
});

describe('against a 2022-style upstream', () => {
  test.override({ stackOptions: { fixture: { mode: '2022' } } });

  test('when the feed is asked of an upstream without /images, then NOT_FOUND after its one 404', async ({ stack }) => {
    const result = await stack.client.execute(ImageFeedDocument, { first: 5 });
    expect(result.data).toEqual({ images: null });
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(stack.fixture.calls('images')).toBe(1);
  });
});
