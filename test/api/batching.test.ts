import { describe, expect } from 'vitest';
import { ModelPageDeepDocument } from '../../generated/graphql.js';
import { test } from '../helpers/stack.js';

test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0' } } });

describe('loading through DataLoader', () => {
  test('when the 50-model page asks for creators, tags, versions, files and images, then calls stay within 1 + creators + tags + 1', async ({ stack }) => {
    const result = await stack.client.execute(ModelPageDeepDocument, { first: 50 }, { 'x-upstream-cost': '1' });
    expect(result.errors).toBeUndefined();
    const models = result.data?.models!.nodes ?? [];
    expect(models).toHaveLength(50);
    const creators = new Set(models.flatMap((m) => (m!.creator ? [m!.creator.username] : [])));
    const tags = new Set(models.flatMap((m) => m!.tags.map((t) => t.name.toLowerCase())));
    expect(models.some((m) => m!.modelVersions.some((v) => v.files.length > 0 && v.images.length > 0))).toBe(true);

    const calls = stack.fixture.calls();
    expect(calls).toBeLessThanOrEqual(1 + creators.size + tags.size + 1);
    expect(stack.fixture.calls('models')).toBeLessThanOrEqual(2);
    expect(stack.fixture.calls('model-version')).toBe(0);
    expect(stack.fixture.calls('creators')).toBeLessThanOrEqual(creators.size);
    expect(stack.fixture.calls('tags')).toBeLessThanOrEqual(tags.size);
    expect(result.extensions?.cost).toMatchObject({ calls });
    // Each creator's count is its /creators modelCount (0 when the upstream omits it).
    for (const model of models) if (model!.creator) expect(typeof model!.creator.modelCount === 'number' || model!.creator.modelCount === null).toBe(true);
  });

  test('when the upstream reports no tag counts (live), then Tag.modelCount costs one probe, not a call per tag', async ({ stack }) => {
    const result = await stack.client.execute(`{ models(first: 30, sort: NEWEST) { nodes { tags { name modelCount } } } }`);
    expect(result.errors).toBeUndefined();
    const counts = (result.data as { models: { nodes: Array<{ tags: Array<{ modelCount: number | null }> }> } }).models.nodes.flatMap((m) => m.tags.map((t) => t.modelCount));
    expect(counts.length).toBeGreaterThan(30);
    expect(counts.every((c) => c === null)).toBe(true);
    expect(stack.fixture.calls('tags')).toBeLessThanOrEqual(1);
  });

  test('when the same entity is asked through several paths in one request, then it is loaded once', async ({ stack }) => {
    const query = /* GraphQL */ `
      { a: model(id: 23) { name } b: model(id: 23) { name } c: node(id: "${Buffer.from('Model:23').toString('base64')}") { id }
        d: modelVersion(id: 1318) { name } e: modelVersion(id: 1318) { model { name } } }`;
    const result = await stack.client.execute(query);
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ a: { name: 'Arcane Diffusion' }, b: { name: 'Arcane Diffusion' }, d: { name: 'toad' }, e: { model: { name: 'froggy style' } } });
    expect(stack.fixture.calls('model-version')).toBe(1);
    // 23 and 1244 (the version's model) are batched through /models?ids=.
    expect(stack.fixture.calls('models')).toBeLessThanOrEqual(2);
    expect(stack.fixture.calls('model')).toBe(0);
  });

  test('when a version reached through its model asks for its model, then nothing more is fetched', async ({ stack }) => {
    await stack.client.execute(`{ models(first: 10) { nodes { civitaiId } } }`);
    const listOnly = stack.fixture.calls();
    stack.fixture.resetLog();
    const result = await stack.client.execute(`{ models(first: 10) { nodes { modelVersions { model { civitaiId } } } } }`);
    expect(result.errors).toBeUndefined();
    expect(stack.fixture.calls()).toBe(listOnly);
    expect(stack.fixture.calls('models')).toBe(listOnly);
  });
});
