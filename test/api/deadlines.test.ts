/**
 * One deadline per upstream call across its attempts, and one per request across its calls
 * (src/upstream/stages/deadline.ts): a hung Civitai is answered as UPSTREAM_TIMEOUT when the
 * deadline runs out, not after attempts × timeout.
 */
import { describe, expect } from 'vitest';
import { codes } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

const HUNG = { kind: 'slow', ms: 30_000 } as const;
const QUERY = '{ tags(first: 1) { nodes { name } } }';

/** Attempts × timeout is 3 × 1000 ms: a client waited that long (and more, with back-offs) before the deadlines. */
const base = { CACHE_MAX_BYTES: '0', UPSTREAM_TIMEOUT_MS: '1000', UPSTREAM_MAX_ATTEMPTS: '3', UPSTREAM_RETRY_BUDGET_MS: '2000' };

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
}

describe('the call deadline', () => {
  test.override({ stackOptions: { env: { ...base, UPSTREAM_CALL_DEADLINE_MS: '1500', UPSTREAM_REQUEST_DEADLINE_MS: '60000' } } });

  test('when Civitai hangs, then the call fails as UPSTREAM_TIMEOUT at its deadline, after two attempts instead of three', async ({ stack }) => {
    stack.fixture.inject({ fault: HUNG, route: 'tags', times: 10 });
    const [result, ms] = await timed(() => stack.client.execute(QUERY));
    expect(codes(result)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(result.data).toEqual({ tags: null });
    // The second attempt gets what the deadline leaves (~300 ms); no third one.
    expect(stack.fixture.calls('tags')).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(2900);
  });
});

describe('the request deadline', () => {
  test.override({ stackOptions: { env: { ...base, UPSTREAM_CALL_DEADLINE_MS: '60000', UPSTREAM_REQUEST_DEADLINE_MS: '1500' } } });

  test('when Civitai hangs, then the calls of the request stop at its deadline: two attempts instead of three', async ({ stack }) => {
    stack.fixture.inject({ fault: HUNG, route: 'tags', times: 10 });
    const [result, ms] = await timed(() => stack.client.execute(QUERY));
    expect(codes(result)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(stack.fixture.calls('tags')).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(2900);
  });

  test('when calls answer in time, then the deadline changes nothing', async ({ stack }) => {
    const result = await stack.client.execute(QUERY);
    expect(result.errors).toBeUndefined();
    expect(stack.fixture.calls('tags')).toBe(1);
  });
});
