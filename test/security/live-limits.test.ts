/**
 * Live subscriptions against hostile use, through HTTP with the graphql-sse client: the limits
 * (per process, per client, distinct polls, the cost of each event) refuse before anything is
 * polled; bad arguments are refused the same way; credentials poll in their own partition;
 * shutdown ends every stream with a `complete`.
 */
import { describe, expect } from 'vitest';
import { test, type Stack } from '../helpers/stack.js';
import { callsMatching, sleep, subscribe, until, type Subscriber } from '../helpers/live.js';

const POLL_MS = 150;
const BY_TYPE = /* GraphQL */ `subscription ($types: [ModelType!]) { modelPublished(types: $types) { civitaiId } }`;

/** The one result of a refused subscription, once its stream ended. */
async function refusal(stack: Stack, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const s = subscribe(stack.url, query, variables, headers);
  try {
    await until(() => s.ended !== undefined, 5_000, 'the refusal');
    return { results: s.results, ended: s.ended?.how };
  } finally {
    s.dispose();
  }
}

const refused = (code: string, limit?: string) => ({
  results: [{ errors: [expect.objectContaining({ extensions: expect.objectContaining({ code, ...(limit ? { limit } : {}) }) })] }],
  ended: 'complete',
});

async function started(stack: Stack, subscribers: Subscriber[], count: number): Promise<void> {
  await until(() => stack.server.live.subscriptions === count, 5_000, `${count} subscriptions`);
  void subscribers;
}

describe('live subscriptions under hostile use', () => {
  test.override({ stackOptions: { env: { SUBSCRIPTION_POLL_MS: String(POLL_MS), MAX_SUBSCRIPTIONS_PER_CLIENT: '2', SUBSCRIPTION_MAX_POLLS: '3', MAX_UPSTREAM_CALLS: '1' } } });

  test('a client past MAX_SUBSCRIPTIONS_PER_CLIENT is refused before any poll; another client is not', async ({ stack }) => {
    const mine = [subscribe(stack.url, BY_TYPE, { types: ['LORA'] }), subscribe(stack.url, BY_TYPE, { types: ['LORA'] })];
    try {
      await started(stack, mine, 2);
      expect(await refusal(stack, BY_TYPE, { types: ['VAE'] })).toEqual(refused('TOO_MANY_SUBSCRIPTIONS', 'client'));
      await sleep(POLL_MS * 2);
      expect(callsMatching(stack.fixture, /types=VAE/)).toBe(0);
      const other = subscribe(stack.url, BY_TYPE, { types: ['VAE'] }, { authorization: 'Bearer fixture-key-alice' });
      try {
        await until(() => callsMatching(stack.fixture, /types=VAE/) >= 1, 5_000, 'the other client’s poll');
        expect(stack.fixture.log.filter((e) => /types=VAE/.test(e.url)).every((e) => e.auth === 'valid')).toBe(true);
        expect(other.results).toEqual([]);
      } finally {
        other.dispose();
      }
    } finally {
      for (const s of mine) s.dispose();
    }
  });

  test('distinct questions are bounded by SUBSCRIPTION_MAX_POLLS; the same filter under another credential is a question of its own', async ({ stack }) => {
    const keys = ['fixture-key-alice', 'fixture-key-bob'].map((key) => ({ authorization: `Bearer ${key}` }));
    const held = [subscribe(stack.url, BY_TYPE, { types: ['LORA'] }), subscribe(stack.url, BY_TYPE, { types: ['VAE'] }), subscribe(stack.url, BY_TYPE, { types: ['LORA'] }, keys[0])];
    try {
      await started(stack, held, 3);
      expect(stack.server.live.topics).toBe(3);
      expect(await refusal(stack, BY_TYPE, { types: ['CHECKPOINT'] }, keys[1])).toEqual(refused('TOO_MANY_SUBSCRIPTIONS', 'polls'));
      expect(callsMatching(stack.fixture, /types=Checkpoint/)).toBe(0);
      const joining = subscribe(stack.url, BY_TYPE, { types: ['VAE'] }, keys[1]);
      try {
        // bob's key is its own partition: VAE for bob is a new question, refused too.
        await until(() => joining.ended !== undefined, 5_000, 'bob’s refusal');
        expect(joining.results[0]?.errors?.[0]?.extensions).toEqual({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 'polls' });
      } finally {
        joining.dispose();
      }
    } finally {
      for (const s of held) s.dispose();
    }
  });

  test('an event selection planned over MAX_UPSTREAM_CALLS is refused before it subscribes', async ({ stack }) => {
    const costly = /* GraphQL */ `subscription { modelPublished { a: images(first: 5) { nodes { civitaiId } } b: images(first: 5, nsfw: X) { nodes { civitaiId } } } }`;
    const answer = await refusal(stack, costly);
    expect(answer).toEqual(refused('QUERY_TOO_COSTLY', 'cost'));
    expect(answer.results[0]?.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_COSTLY', limit: 'cost', planned: expect.any(Number), budget: 1 });
    expect([stack.server.live.subscriptions, stack.fixture.calls()]).toEqual([0, 0]);
  });

  test('bad arguments are refused before anything is polled', async ({ stack }) => {
    const versions = /* GraphQL */ `subscription ($ids: [Int!]!) { modelVersionPublished(modelIds: $ids) { civitaiId } }`;
    expect(await refusal(stack, versions, { ids: [] })).toEqual(refused('BAD_USER_INPUT'));
    expect(await refusal(stack, versions, { ids: Array.from({ length: 101 }, (_, k) => k + 1) })).toEqual(refused('BAD_USER_INPUT'));
    expect(await refusal(stack, /* GraphQL */ `subscription { imagePosted(username: "not a name") { civitaiId } }`)).toEqual(refused('BAD_USER_INPUT'));
    expect(await refusal(stack, /* GraphQL */ `subscription { modelPublished(favorites: true) { civitaiId } }`)).toEqual(refused('UNAUTHENTICATED'));
    expect([stack.server.live.subscriptions, stack.fixture.calls()]).toEqual([0, 0]);
  });

  test('on close, every stream ends with a complete within the grace period, and the polls stop', async ({ stack }) => {
    const s = subscribe(stack.url, BY_TYPE, { types: ['LORA'] });
    await started(stack, [s], 1);
    const t0 = Date.now();
    await stack.server.close();
    await until(() => s.ended !== undefined, 2_000, 'the end of the stream');
    expect(s.ended?.how).toBe('complete');
    expect(Date.now() - t0).toBeLessThan(2_000);
    const calls = stack.fixture.calls();
    await sleep(POLL_MS * 3);
    expect(stack.fixture.calls()).toBe(calls);
    s.dispose();
  });
});

describe('MAX_SUBSCRIPTIONS', () => {
  test.override({ stackOptions: { env: { MAX_SUBSCRIPTIONS: '0' } } });

  test('at 0, every subscription is refused before any poll', async ({ stack }) => {
    expect(await refusal(stack, BY_TYPE)).toEqual(refused('TOO_MANY_SUBSCRIPTIONS', 'process'));
    expect(stack.fixture.calls()).toBe(0);
  });
});
