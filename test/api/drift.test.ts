/**
 * Civitai drifts, we don't break: the fixture upstream perturbs its answers the ways Civitai's
 * shapes have changed (fixture/drift.ts) and every item that did not drift comes back exactly as
 * without the drift; a field that cannot be read fails alone, where it is selected.
 */
import { describe, expect } from 'vitest';
import type { DriftSpec } from '../../fixture/index.js';
import { codes, type GraphQLResponse } from '../helpers/execute.js';
import { parsePrometheus } from '../helpers/prometheus.js';
import { test, type Stack } from '../helpers/stack.js';

test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0', UPSTREAM_MAX_ATTEMPTS: '1' } } });

type Edges<T> = { edges: Array<{ node: T | null }> };
const DRIFT = { code: 'UPSTREAM_BAD_RESPONSE', reason: 'DRIFT' };

/** The query twice: without drift, then with `spec`. */
async function cleanAndDrifted<T>(stack: Stack, query: string, spec: DriftSpec, variables?: Record<string, unknown>) {
  stack.fixture.setDrift(null);
  const clean = (await stack.client.execute(query, variables)) as GraphQLResponse<T>;
  expect(clean.errors).toBeUndefined();
  stack.fixture.setDrift(spec);
  const drifted = (await stack.client.execute(query, variables)) as GraphQLResponse<T>;
  stack.fixture.setDrift(null);
  return { clean: clean.data as T, drifted };
}

const MODELS = `{ models(first: 10) { edges { node {
  civitaiId name nsfw tags { name } stats { downloadCount thumbsUpCount }
  modelVersions { name trainedWords files { name sizeKb } images { url width } }
} } } }`;

interface ModelNode {
  civitaiId: number;
  stats: { downloadCount: number | null; thumbsUpCount: number | null } | null;
}

describe('tolerant reading', () => {
  test('when one model of a page of 10 drifts the ways of the issue, then the page keeps its 10 models and only the unreadable count fails, at its path', async ({ stack }) => {
    const { clean, drifted } = await cleanAndDrifted<{ models: Edges<ModelNode> }>(stack, MODELS, { kind: 'issue', items: [1] });
    expect(drifted.status).toBe(200);
    const edges = drifted.data?.models.edges ?? [];
    expect(edges).toHaveLength(10);
    const before = clean.models.edges;
    edges.forEach((edge, k) => {
      if (k !== 1) expect(edge).toEqual(before[k]);
    });
    const was = before[1]?.node as ModelNode;
    expect(edges[1]?.node).toEqual({ ...was, stats: { ...was.stats, downloadCount: null } });
    expect(drifted.errors).toHaveLength(1);
    expect(drifted.errors?.[0]?.path).toEqual(['models', 'edges', 1, 'node', 'stats', 'downloadCount']);
    expect(drifted.errors?.[0]?.extensions).toEqual(DRIFT);
  });

  test('when the drifted field is not selected, then there is no error at all', async ({ stack }) => {
    const query = '{ models(first: 10) { nodes { civitaiId nsfw tags { name } stats { thumbsUpCount } modelVersions { trainedWords files { sizeKb } } } } }';
    const { clean, drifted } = await cleanAndDrifted<{ models: unknown }>(stack, query, { kind: 'issue', items: [1, 4] });
    expect(drifted.errors).toBeUndefined();
    expect(drifted.data).toEqual(clean);
  });

  test('when a sample image sends meta that is not an object, then only its meta fails', async ({ stack }) => {
    const query = '{ models(first: 3) { nodes { modelVersions { images { url meta } } } } }';
    // The list's images carry no meta: it is read from each version by id, which does not drift here.
    const { drifted } = await cleanAndDrifted<{ models: { nodes: unknown[] } }>(stack, query, { kind: 'issue', items: [1], routes: ['models'] });
    expect(drifted.data?.models.nodes).toHaveLength(3);
    expect(drifted.errors?.map((e) => e.path)).toEqual([['models', 'nodes', 1, 'modelVersions', 0, 'images', 0, 'meta']]);
    expect(drifted.errors?.[0]?.extensions).toEqual(DRIFT);
  });

  test('when `model(id)` is read through a drifted `/models?ids=`, then the model comes back with only the unreadable count failing', async ({ stack }) => {
    const first = await stack.client.execute('{ models(first: 1) { nodes { civitaiId } } }');
    const id = (first.data as { models: { nodes: Array<{ civitaiId: number }> } }).models.nodes[0]!.civitaiId;
    const query = `{ model(id: ${id}) { civitaiId name nsfw tags { name } stats { downloadCount thumbsUpCount } modelVersions { trainedWords files { sizeKb } images { width } } } }`;
    const { clean, drifted } = await cleanAndDrifted<{ model: ModelNode }>(stack, query, { kind: 'issue', items: [0] });
    expect(drifted.data?.model).toEqual({ ...clean.model, stats: { ...clean.model.stats, downloadCount: null } });
    expect(drifted.errors?.map((e) => e.path)).toEqual([['model', 'stats', 'downloadCount']]);
  });

  test('when a non-null field cannot be read, then its item alone is null with one error at that field', async ({ stack }) => {
    const query = '{ models(first: 5) { edges { node { civitaiId name } } } }';
    const { clean, drifted } = await cleanAndDrifted<{ models: Edges<unknown> }>(stack, query, {
      kind: 'none',
      set: [{ index: 2, path: 'name', value: { unexpected: true } }],
    });
    const edges = drifted.data?.models.edges ?? [];
    expect(edges.map((e) => e.node)).toEqual(clean.models.edges.map((e, k) => (k === 2 ? null : e.node)));
    expect(drifted.errors?.map((e) => e.path)).toEqual([['models', 'edges', 2, 'node', 'name']]);
    expect(codes(drifted)).toEqual(['UPSTREAM_BAD_RESPONSE']);
  });

  test('when items come without an id, then they are left out with one error at the connection saying how many', async ({ stack }) => {
    const query = '{ models(first: 6) { nodes { civitaiId } } }';
    const { clean, drifted } = await cleanAndDrifted<{ models: { nodes: Array<{ civitaiId: number }> } }>(stack, query, { kind: 'none', dropIds: [1, 3] });
    const ids = clean.models.nodes.map((n) => n.civitaiId);
    const got = drifted.data?.models.nodes.map((n) => n.civitaiId) ?? [];
    // The window fills on from the rows after: the two without id are missing, nothing else.
    expect(got.slice(0, 4)).toEqual([ids[0], ids[2], ids[4], ids[5]]);
    expect(drifted.errors).toHaveLength(1);
    expect(drifted.errors?.[0]?.path).toEqual(['models']);
    expect(drifted.errors?.[0]?.message).toMatch(/\b2 items\b/);
    expect(drifted.errors?.[0]?.extensions).toEqual(DRIFT);
  });

  test('when an image of the feed sends its width as "512" and an unreadable like count, then the feed keeps every image', async ({ stack }) => {
    const query = '{ images(first: 5) { edges { node { civitaiId width stats { likeCount heartCount } } } } }';
    const { clean, drifted } = await cleanAndDrifted<{ images: Edges<{ stats: object }> }>(stack, query, { kind: 'issue', items: [1] });
    const edges = drifted.data?.images.edges ?? [];
    expect(edges).toHaveLength(5);
    edges.forEach((edge, k) => {
      if (k !== 1) expect(edge).toEqual(clean.images.edges[k]);
    });
    const was = clean.images.edges[1]?.node as { stats: object };
    expect(edges[1]?.node).toEqual({ ...was, stats: { ...was.stats, likeCount: null } });
    expect(drifted.errors?.map((e) => e.path)).toEqual([['images', 'edges', 1, 'node', 'stats', 'likeCount']]);
  });

  test('when creators and tags send an unreadable model count, then only that count fails', async ({ stack }) => {
    const query = '{ creators(first: 3) { nodes { username modelCount } } }';
    const { clean, drifted } = await cleanAndDrifted<{ creators: { nodes: Array<{ username: string }> } }>(stack, query, { kind: 'issue', items: [1] });
    expect(drifted.data?.creators.nodes.map((n) => n.username)).toEqual(clean.creators.nodes.map((n) => n.username));
    expect(drifted.errors?.map((e) => e.path)).toEqual([['creators', 'nodes', 1, 'modelCount']]);
    expect(drifted.errors?.[0]?.extensions).toEqual(DRIFT);
  });

  test('when a version by id drifts the ways of the issue, then it comes back with only the unreadable count failing', async ({ stack }) => {
    const found = await stack.client.execute('{ models(first: 1) { nodes { modelVersions { civitaiId } } } }');
    const id = (found.data as { models: { nodes: Array<{ modelVersions: Array<{ civitaiId: number }> }> } }).models.nodes[0]!.modelVersions[0]!.civitaiId;
    const query = `{ modelVersion(id: ${id}) { civitaiId name trainedWords stats { downloadCount } files { sizeKb } images { width } } }`;
    const { clean, drifted } = await cleanAndDrifted<{ modelVersion: { stats: object } }>(stack, query, { kind: 'issue', routes: ['model-version'] });
    expect(drifted.data?.modelVersion).toEqual({ ...clean.modelVersion, stats: { ...clean.modelVersion.stats, downloadCount: null } });
    expect(drifted.errors?.map((e) => e.path)).toEqual([['modelVersion', 'stats', 'downloadCount']]);
  });
});

describe('operators see drift', () => {
  // The upstream cache on: drifted answers are kept like any other.
  test.override({ stackOptions: { env: { UPSTREAM_MAX_ATTEMPTS: '1' } } });

  test('when a drifted page is read, then /metrics counts each drifted field by route and path pattern, and the drifted answer is cached like any other', async ({ stack }) => {
    stack.fixture.setDrift({ kind: 'issue', items: [1, 2] });
    const query = '{ models(first: 5) { nodes { civitaiId stats { thumbsUpCount } } } }';
    await stack.client.execute(query);
    const text = await fetch(new URL('/metrics', stack.url)).then((r) => r.text());
    const drift = parsePrometheus(text).filter((s) => s.name === 'cgql_upstream_drift_total');
    // Absorbed drift (numeric strings, {name}, one string for a list) is not drift: only what could not be read.
    expect(drift.map((s) => [s.labels.route, s.labels.field, s.value])).toEqual(
      expect.arrayContaining([
        ['models', 'items[].stats.downloadCount', 1],
        ['models', 'items[].modelVersions[].images[].meta', 1],
      ]),
    );
    expect(drift.every((s) => !/trainedWords|sizeKB|tags|nsfw|someNewField/.test(s.labels.field ?? ''))).toBe(true);
    const calls = stack.fixture.calls();
    await stack.client.execute(query);
    expect(stack.fixture.calls()).toBe(calls);
  });
});

describe('opaque upstream cursors', () => {
  const pages = async (stack: Stack, list: 'models' | 'images', count: number, first: number) => {
    const ids: number[] = [];
    let after: string | null = null;
    for (let k = 0; k < count; k++) {
      const result: GraphQLResponse<unknown> = await stack.client.execute(`query($after: String) { ${list}(first: ${first}, after: $after) { pageInfo { endCursor } nodes { civitaiId } } }`, { after });
      expect(result.errors, `page ${k + 1}`).toBeUndefined();
      const connection: { pageInfo: { endCursor: string }; nodes: Array<{ civitaiId: number }> } = (result.data as Record<string, { pageInfo: { endCursor: string }; nodes: Array<{ civitaiId: number }> }>)[list]!;
      ids.push(...connection.nodes.map((n) => n.civitaiId));
      after = connection.pageInfo.endCursor;
    }
    return ids;
  };

  test('when the upstream issues opaque cursors unlike today\u2019s, then `models(first: 25)` pages past the first upstream page as without them', async ({ stack }) => {
    const clean = await pages(stack, 'models', 5, 25);
    stack.fixture.setDrift({ kind: 'none', opaqueCursors: true });
    const opaque = await pages(stack, 'models', 5, 25);
    expect(opaque).toEqual(clean);
    expect(new Set(opaque).size).toBe(125);
    // Civitai's tokens went back to it verbatim, URL-encoded.
    expect(stack.fixture.log.filter((e) => e.route === 'models' && e.url.includes('cursor=v9%3A')).length).toBeGreaterThan(0);
  });

  test('when the images feed issues opaque cursors, then it pages on as without them', async ({ stack }) => {
    const clean = await pages(stack, 'images', 5, 50);
    stack.fixture.setDrift({ kind: 'none', opaqueCursors: true });
    expect(await pages(stack, 'images', 5, 50)).toEqual(clean);
    expect(stack.fixture.log.filter((e) => e.route === 'images' && e.url.includes('cursor=v9%3A')).length).toBeGreaterThan(0);
  });
});
