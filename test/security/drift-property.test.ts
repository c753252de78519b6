/**
 * Seeded property: random drift on random fields of random items of pages of every route. Every
 * item that did not drift comes back exactly as without drift; nothing answers 5xx; every error
 * code is of the closed set. The fixture logs which items of each answer it drifted.
 */
import { describe, expect } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import type { RouteName } from '../../fixture/index.js';
import { test } from '../helpers/stack.js';

test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0', UPSTREAM_MAX_ATTEMPTS: '1' } } });

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const LISTS: Array<{ route: RouteName; query: string; key: string }> = [
  {
    route: 'models',
    key: 'models',
    query: `{ models(first: 12, nsfw: true) { nodes { civitaiId name type typeName nsfw nsfwLevel poi availability archived allowCommercialUse allowNoCredit
      baseModels tags { name } creator { username } stats { downloadCount thumbsUpCount commentCount rating }
      modelVersions { civitaiId name index baseModel baseModelType nsfwLevel trainedWords downloadUrl stats { downloadCount }
        files { civitaiId name sizeKb type format fp primary pickleScanResult scannedAt hashes { algorithm hash } }
        images { civitaiId url width height hash type nsfwLevel } } } } }`,
  },
  {
    route: 'images',
    key: 'images',
    query: '{ images(first: 12) { nodes { civitaiId url hash width height type nsfw nsfwLevel createdAt postId baseModel modelVersionIds stats { likeCount heartCount commentCount reactionCount } } } }',
  },
  { route: 'creators', key: 'creators', query: '{ creators(first: 12) { nodes { username modelCount image } } }' },
  { route: 'tags', key: 'tags', query: '{ tags(first: 12) { nodes { name } } }' },
];

describe('drift property', () => {
  test.for(SEEDS)('when seed %i drifts every route at random, then undrifted items are unchanged, no 5xx, every code closed', async (seed, { stack }) => {
    let drifted = 0;
    for (const { route, query, key } of LISTS) {
      stack.fixture.setDrift(null);
      const clean = await stack.client.execute(query);
      expect(clean.errors, route).toBeUndefined();
      stack.fixture.setDrift({ kind: 'random', seed, rate: 0.4 });
      stack.fixture.resetLog();
      const result = await stack.client.execute(query);
      stack.fixture.setDrift(null);
      expect(result.status, route).toBeLessThan(500);
      for (const error of result.errors ?? []) expect(ERROR_CODES, JSON.stringify(error)).toContain(error.extensions?.code);
      const answers = stack.fixture.log.filter((e) => e.route === route);
      expect(answers, route).toHaveLength(1);
      const touched = new Set((answers[0]?.drift ?? []).map((d) => d.index));
      const before = (clean.data as Record<string, { nodes: unknown[] }>)[key]!.nodes;
      drifted += touched.size;
      const after = (result.data as Record<string, { nodes: unknown[] } | null>)[key]?.nodes;
      expect(after, route).toHaveLength(before.length);
      before.forEach((node, k) => {
        if (!touched.has(k)) expect(after?.[k], `${route} item ${k}`).toEqual(node);
      });
      // Errors only under drifted items.
      for (const error of result.errors ?? []) expect(touched.has(error.path?.[2] as number), JSON.stringify(error.path)).toBe(true);
    }
  });
});
