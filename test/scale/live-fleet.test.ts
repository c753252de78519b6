/**
 * Live subscriptions across replicas sharing one Redis: one replica polls each question for the
 * fleet and every replica's subscribers get its events; when the polling replica closes, another
 * takes the lease over and carries on from where it stopped.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFixtureUpstream, type FixtureUpstream } from '../../fixture/index.js';
import { startReplicas, type Replica } from '../helpers/fleet.js';
import { callsMatching, publish, sleep, subscribe, until } from '../helpers/live.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const POLL_MS = 200;
const NEWEST_MODELS = /^\/api\/v1\/models\?(?=.*sort=Newest)/;
const MODELS = /* GraphQL */ `subscription { modelPublished(types: [LORA]) { civitaiId } }`;
let redis: TestRedis;
let fixture: FixtureUpstream;

beforeAll(async () => {
  [redis, fixture] = await Promise.all([startRedis(), createFixtureUpstream()]);
});
afterAll(async () => {
  await Promise.all([redis?.stop(), fixture?.close()]);
});

it('two replicas share one poll per interval; both replicas’ subscribers get each model once; the lease is taken over when its holder closes', async () => {
  const fleet: Replica[] = await startReplicas(2, fixture.url, redis.url, { SUBSCRIPTION_POLL_MS: String(POLL_MS) });
  const [a, b] = fleet as [Replica, Replica];
  const onA = subscribe(a.url, MODELS);
  const onB = subscribe(b.url, MODELS);
  try {
    await until(() => a.server.live.subscriptions === 1 && b.server.live.subscriptions === 1 && callsMatching(fixture, NEWEST_MODELS) >= 1, 5_000, 'baseline');
    await sleep(POLL_MS);
    const before = callsMatching(fixture, NEWEST_MODELS);
    await sleep(POLL_MS * 6);
    const polls = callsMatching(fixture, NEWEST_MODELS) - before;
    // One poll per interval for the fleet (each replica polling would make ~12).
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(polls).toBeLessThanOrEqual(8);

    const first = await publish(fixture, 'model', { type: 'LORA' });
    await until(() => onA.results.length >= 1 && onB.results.length >= 1, 5_000, 'the first model on both');
    await sleep(POLL_MS * 2);
    expect([onA.results, onB.results]).toEqual([[{ data: { modelPublished: { civitaiId: first.id } } }], [{ data: { modelPublished: { civitaiId: first.id } } }]]);

    // Close the replica that polls (the one whose /metrics counts polls); the other takes over and resumes.
    const polled = await Promise.all(fleet.map(async (r) => Number(/cgql_live_polls_total\{outcome="ok"\} (\d+)/.exec(await (await fetch(r.url.replace('/graphql', '/metrics'))).text())?.[1] ?? 0)));
    expect(polled.filter((n) => n > 0)).toHaveLength(1);
    const holder = polled[0]! > 0 ? a : b;
    const survivor = holder === a ? onB : onA;
    await holder.server.close();
    const second = await publish(fixture, 'model', { type: 'LORA' });
    await until(() => survivor.results.length >= 2, 5_000, 'the second model after the takeover');
    await sleep(POLL_MS * 2);
    expect(survivor.results.map((r) => (r.data?.modelPublished as { civitaiId: number }).civitaiId)).toEqual([first.id, second.id]);
  } finally {
    onA.dispose();
    onB.dispose();
    await Promise.all(fleet.map((r) => r.server.close()));
  }
});
