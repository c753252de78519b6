/**
 * Live subscriptions through HTTP (GraphQL over SSE with the graphql-sse client) over the fixture
 * upstream, which publishes on demand: one poll per question for every subscriber, the baseline,
 * no duplicates, paging on, credentials, limits, transports and shutdown.
 */
import { describe, expect } from 'vitest';
import { test } from '../helpers/stack.js';
import { callsMatching, publish, sleep, subscribe, until, type Subscriber } from '../helpers/live.js';

const POLL_MS = 150;
const SLOW_POLL_MS = 2_000;
const NEWEST_MODELS = /^\/api\/v1\/models\?(?=.*sort=Newest)/;
const MODEL_IDS = /^\/api\/v1\/models\?(?=.*ids=)/;
const NEWEST_IMAGES = /^\/api\/v1\/images\?(?=.*sort=Newest)/;

const MODELS = /* GraphQL */ `subscription ($types: [ModelType!]) { modelPublished(types: $types) { civitaiId name type } }`;

const idsOf = (s: Subscriber, field = 'modelPublished') => s.results.map((r) => (r.data?.[field] as { civitaiId: number } | undefined)?.civitaiId);

describe('live subscriptions', () => {
  test.override({ stackOptions: { env: { SUBSCRIPTION_POLL_MS: String(POLL_MS) } } });

  test('N subscribers of one question cost one poll per interval; the catalogue listed at the start is not sent; each new model comes once to each', async ({ stack }) => {
    const subscribers = Array.from({ length: 5 }, () => subscribe(stack.url, MODELS, { types: ['LORA'] }));
    try {
      await until(() => stack.server.live.subscriptions === 5 && callsMatching(stack.fixture, NEWEST_MODELS) >= 2, 5_000, 'baseline');
      expect(stack.server.live.topics).toBe(1);
      const before = callsMatching(stack.fixture, NEWEST_MODELS);
      await sleep(POLL_MS * 6);
      const polls = callsMatching(stack.fixture, NEWEST_MODELS) - before;
      // One poll per interval for all five (five separate polls would make ~30).
      expect(polls).toBeGreaterThanOrEqual(3);
      expect(polls).toBeLessThanOrEqual(8);
      expect(subscribers.flatMap((s) => s.results)).toEqual([]);

      const { id } = await publish(stack.fixture, 'model', { type: 'LORA' });
      await publish(stack.fixture, 'model', { type: 'Checkpoint' });
      await until(() => subscribers.every((s) => s.results.length >= 1), 5_000, 'the event');
      await sleep(POLL_MS * 4);
      for (const s of subscribers) {
        expect(s.results).toEqual([{ data: { modelPublished: { civitaiId: id, name: `Live model ${id}`, type: 'LORA' } } }]);
      }
    } finally {
      for (const s of subscribers) s.dispose();
    }
    await until(() => stack.server.live.subscriptions === 0 && stack.server.live.topics === 0, 5_000, 'the poll to stop');
    const after = stack.fixture.calls();
    await sleep(POLL_MS * 3);
    expect(stack.fixture.calls()).toBe(after);
  });

  test('a failed poll sends nothing, and the next one resumes from the last model seen', async ({ stack }) => {
    const s = subscribe(stack.url, MODELS, { types: ['LORA'] });
    try {
      await until(() => callsMatching(stack.fixture, NEWEST_MODELS) >= 1, 5_000, 'baseline');
      await sleep(POLL_MS);
      stack.fixture.inject({ fault: { kind: 'status', status: 500 }, route: 'models', times: 6 });
      const { id } = await publish(stack.fixture, 'model', { type: 'LORA' });
      await until(() => s.results.length >= 1, 10_000, 'the event after the failures');
      await sleep(POLL_MS * 3);
      expect(idsOf(s)).toEqual([id]);
      const metrics = await (await fetch(stack.url.replace('/graphql', '/metrics'))).text();
      expect(metrics).toMatch(/cgql_live_polls_total\{outcome="error"\} [1-9]/);
      expect(metrics).toMatch(/cgql_live_events_sent_total 1\b/);
      expect(metrics).toMatch(/cgql_live_subscriptions 1\b/);
      expect(metrics).toMatch(/cgql_live_topics 1\b/);
    } finally {
      s.dispose();
    }
  });

  test('modelVersionPublished: every watched id of every subscriber in one /models?ids= call per interval; each gets its own models’ versions', async ({ stack }) => {
    const [a, b] = stack.fixture.catalogue.models.filter((m) => m.status === 'Published' && !m.ownerOnly && !m.poi && m.mode === null && m.nsfwLevel === 1).slice(5, 7);
    const query = /* GraphQL */ `subscription ($ids: [Int!]!) { modelVersionPublished(modelIds: $ids) { civitaiId name } }`;
    const first = subscribe(stack.url, query, { ids: [a!.id] });
    const both = subscribe(stack.url, query, { ids: [a!.id, b!.id] });
    try {
      await until(() => stack.server.live.subscriptions === 2 && callsMatching(stack.fixture, MODEL_IDS) >= 2, 5_000, 'baseline');
      const ids = stack.fixture.log.filter((e) => MODEL_IDS.test(e.url)).map((e) => decodeURIComponent(new URL(e.url, 'http://x').searchParams.get('ids') ?? ''));
      expect(ids.at(-1)).toBe([a!.id, b!.id].sort((x, y) => x - y).join(','));
      const versionOfB = await publish(stack.fixture, 'version', { modelId: b!.id });
      const versionOfA = await publish(stack.fixture, 'version', { modelId: a!.id });
      await until(() => first.results.length >= 1 && both.results.length >= 2, 5_000, 'the versions');
      await sleep(POLL_MS * 3);
      const version = (id: number) => ({ data: { modelVersionPublished: { civitaiId: id, name: `live ${id}` } } });
      expect(first.results).toEqual([version(versionOfA.id)]);
      expect(both.results).toEqual([version(versionOfB.id), version(versionOfA.id)]);
    } finally {
      first.dispose();
      both.dispose();
    }
  });

  test('imagePosted: a new image of the model version, nested fields resolved per event', async ({ stack }) => {
    const model = stack.fixture.catalogue.models.find((m) => m.status === 'Published' && !m.ownerOnly && !m.poi && m.mode === null && m.nsfwLevel === 1 && m.versions.length > 0)!;
    const versionId = model.versions[0]!.id;
    const s = subscribe(stack.url, /* GraphQL */ `subscription ($v: Int) { imagePosted(modelVersionId: $v) { civitaiId modelVersionIds } }`, { v: versionId });
    try {
      await until(() => callsMatching(stack.fixture, NEWEST_IMAGES) >= 1, 5_000, 'baseline');
      await sleep(POLL_MS);
      const { id } = await publish(stack.fixture, 'image', { modelVersionId: versionId });
      await until(() => s.results.length >= 1, 5_000, 'the image');
      expect(s.results).toEqual([{ data: { imagePosted: { civitaiId: id, modelVersionIds: [versionId] } } }]);
    } finally {
      s.dispose();
    }
  });

  describe('with a poll interval longer than it takes to publish 45 models', () => {
    test.override({ stackOptions: { env: { SUBSCRIPTION_POLL_MS: String(SLOW_POLL_MS) } } });

    test('more than a page of new models pages on, and they come oldest first, each once', async ({ stack }) => {
      const s = subscribe(stack.url, MODELS, { types: ['LORA'] });
      try {
        await until(() => callsMatching(stack.fixture, NEWEST_MODELS) >= 1, 5_000, 'baseline');
        await sleep(50);
        const published: number[] = [];
        for (let n = 0; n < 45; n++) published.push((await publish(stack.fixture, 'model', { type: 'LORA' })).id);
        await until(() => s.results.length >= 45, 10_000, '45 events');
        await sleep(SLOW_POLL_MS);
        expect(idsOf(s)).toEqual(published);
        // Pages of 20: at least one poll read a second page.
        expect(callsMatching(stack.fixture, /[?&]cursor=/)).toBeGreaterThanOrEqual(1);
      } finally {
        s.dispose();
      }
    });
  });
});
