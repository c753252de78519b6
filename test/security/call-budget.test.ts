/**
 * The cost plan as a runtime limit. The plan assumes list sizes Civitai does not enforce
 * (`ASSUMED_ITEMS`: versions and tags per model); a real model may carry more. Once a request
 * has sent the calls it planned, further upstream calls fail with QUERY_TOO_COSTLY for their own
 * field, so sent calls never exceed the plan, whatever the upstream answers.
 */
import { describe, expect } from 'vitest';
import { ASSUMED_ITEMS } from '../../src/schema/cost.js';
import { test } from '../helpers/stack.js';

test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0', UPSTREAM_MAX_ATTEMPTS: '1' } } });

interface Cost {
  calls: number;
  retries: number;
  planned: number | null;
}
type Body = { items: Array<{ id: number; modelVersions: unknown[] }> };

/** Model 23's list answer, with the versions of three other models appended: 1 + 12 versions. */
async function modelWithManyVersions(base: string): Promise<{ body: Body; versions: number }> {
  const get = async (ids: string) => (await (await fetch(`${base}/models?ids=${ids}&nsfw=true`)).json()) as Body;
  const body = await get('23');
  const donors = await get('3202,4536,8584');
  const model = body.items[0]!;
  model.modelVersions = [...model.modelVersions, ...donors.items.flatMap((m) => m.modelVersions)];
  return { body, versions: model.modelVersions.length };
}

describe('the upstream call budget', () => {
  test('when a model has more versions than the plan assumed, then calls stay within the plan and only the extra fields fail, with QUERY_TOO_COSTLY', async ({ stack }) => {
    const { body, versions } = await modelWithManyVersions(stack.fixture.url);
    expect(versions).toBeGreaterThan(ASSUMED_ITEMS.versionsPerModel * 2);
    stack.fixture.resetLog();
    stack.fixture.inject({ fault: { kind: 'status', status: 200, body }, route: 'models', times: 1 });

    // createdAt is not in list answers: each version is loaded by id (one call each).
    const result = await stack.client.execute('{ model(id: 23) { name modelVersions { civitaiId createdAt } } }', {}, { 'x-upstream-cost': '1' });
    expect(result.status).toBe(200);
    const cost = result.extensions?.cost as Cost;
    expect(cost.planned).toBeGreaterThan(0);
    expect(cost.calls).toBe(cost.planned);
    expect(stack.fixture.calls()).toBe(cost.planned);

    const model = (result.data as { model: { name: string; modelVersions: Array<{ civitaiId: number; createdAt: string | null }> } }).model;
    expect(model.name).toEqual(expect.any(String));
    expect(model.modelVersions).toHaveLength(versions);
    const loaded = model.modelVersions.filter((v) => v.createdAt !== null);
    const refused = (result.errors ?? []).filter((e) => e.extensions?.code === 'QUERY_TOO_COSTLY');
    // Every planned call beyond the model's own lookups loaded one version; every other version failed alone.
    expect(loaded.length).toBe(stack.fixture.calls('model-version'));
    expect(loaded.length + refused.length).toBe(versions);
    expect(result.errors).toHaveLength(refused.length);
    for (const error of refused) {
      expect(error.extensions).toEqual({ code: 'QUERY_TOO_COSTLY', limit: 'cost', planned: cost.planned });
      expect(error.path).toEqual(['model', 'modelVersions', expect.any(Number), 'createdAt']);
    }
  });

  test('when a query stays within its plan, then nothing is refused and the report carries the plan', async ({ stack }) => {
    const result = await stack.client.execute('{ model(id: 23) { name modelVersions { createdAt } } tags(first: 3) { nodes { name } } }', {}, { 'x-upstream-cost': '1' });
    expect(result.errors).toBeUndefined();
    const cost = result.extensions?.cost as Cost;
    expect(cost.calls).toBeGreaterThan(0);
    expect(cost.calls).toBeLessThanOrEqual(cost.planned!);
  });

  describe('with the upstream cache on', () => {
    test.override({ stackOptions: { env: { RESPONSE_CACHE_ENTRIES: '0', UPSTREAM_MAX_ATTEMPTS: '1' } } });

    test('when answers come from the cache, then they cost nothing against the budget: a repeat loads more versions', async ({ stack }) => {
      const { body, versions } = await modelWithManyVersions(stack.fixture.url);
      stack.fixture.inject({ fault: { kind: 'status', status: 200, body }, route: 'models', times: 1 });
      const query = '{ model(id: 23) { modelVersions { createdAt } } }';
      const loadedOf = (r: { data?: unknown }) =>
        (r.data as { model: { modelVersions: Array<{ createdAt: string | null }> } }).model.modelVersions.filter((v) => v.createdAt !== null).length;

      const first = await stack.client.execute(query, {}, { 'x-upstream-cost': '1' });
      const second = await stack.client.execute(query, {}, { 'x-upstream-cost': '1' });
      const [a, b] = [first.extensions?.cost as Cost & { cacheHits: number }, second.extensions?.cost as Cost & { cacheHits: number }];
      expect(a.calls).toBeLessThanOrEqual(a.planned!);
      expect(b.calls).toBeLessThanOrEqual(b.planned!);
      expect(b.cacheHits).toBeGreaterThan(a.cacheHits);
      expect(loadedOf(second)).toBeGreaterThan(loadedOf(first));
      expect(loadedOf(second)).toBeLessThanOrEqual(versions);
    });
  });
});
