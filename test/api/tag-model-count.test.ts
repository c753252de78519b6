import { describe, expect } from 'vitest';
import { codes } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

const QUERY = '{ model(id: 64) { name tags { name modelCount } } }';

describe('a tag\u2019s model count over a 2022 upstream', () => {
  test.override({ stackOptions: { fixture: { mode: '2022' } } });

  describe('when the lookup times out', () => {
    test.override({ stackOptions: { fixture: { mode: '2022' }, env: { CACHE_MAX_BYTES: '0', UPSTREAM_TIMEOUT_MS: '300', UPSTREAM_MAX_ATTEMPTS: '1' } } });

    test('then that field fails alone with UPSTREAM_TIMEOUT', async ({ stack }) => {
      stack.fixture.inject({ route: 'tags', match: (url) => url.searchParams.has('query'), fault: { kind: 'slow', ms: 1000 }, times: Infinity });
      const result = await stack.client.execute(QUERY);
      const model = (result.data as { model: { name: string; tags: Array<{ name: string; modelCount: number | null }> } }).model;
      expect(model.name).toEqual(expect.any(String));
      expect(model.tags.length).toBeGreaterThan(0);
      expect(model.tags.map((t) => t.modelCount)).toEqual(model.tags.map(() => null));
      expect(codes(result)).toEqual(model.tags.map(() => 'UPSTREAM_TIMEOUT'));
      expect(result.errors?.map((e) => e.path)).toEqual(model.tags.map((_t, k) => ['model', 'tags', k, 'modelCount']));
    });
  });

  test('when a tag is known, then its model count is reported with no error', async ({ stack }) => {
    const result = await stack.client.execute(QUERY);
    expect(result.errors).toBeUndefined();
    const tags = (result.data as { model: { tags: Array<{ modelCount: number | null }> } }).model.tags;
    expect(tags.map((t) => typeof t.modelCount)).toEqual(tags.map(() => 'number'));
  });
});
