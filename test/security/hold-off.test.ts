/**
 * A 429's Retry-After holds the credential off (every replica waits instead of finding out on its
 * own), but never for longer than MAX_HOLD_OFF_MS: one absurd Retry-After used to refuse every
 * uncached call of that credential (for anonymous clients: the whole service) until restart.
 */
import { describe, expect } from 'vitest';
import { MAX_HOLD_OFF_MS } from '../../src/redis/rate-limit.js';
import { test } from '../helpers/stack.js';

const it = test;

describe('hold-off after a 429 is bounded', () => {
  for (const retryAfter of ['99999999999999999999', 'Fri, 31 Dec 9999 23:59:59 GMT', '86400']) {
    it(`Retry-After: ${retryAfter} holds the credential off for at most ${MAX_HOLD_OFF_MS / 1000} s`, async ({ stack }) => {
      stack.fixture.inject({ fault: { kind: 'status', status: 429, headers: { 'retry-after': retryAfter } }, route: 'models', times: 1 });
      const first = await stack.client.execute('{ models(first: 1, query: "first") { nodes { id } } }');
      expect(first.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_RATE_LIMITED']);
      stack.fixture.resetLog();
      // Another list, no fault left: refused by the hold-off, without an upstream call, and told
      // to come back within the cap.
      const held = await stack.client.execute('{ creators(first: 1) { nodes { username } } }');
      expect(stack.fixture.calls()).toBe(0);
      expect(held.data).toEqual({ creators: null });
      expect(held.errors).toHaveLength(1);
      expect(held.errors?.[0]?.extensions?.code).toBe('UPSTREAM_RATE_LIMITED');
      const seconds = held.errors?.[0]?.extensions?.retryAfter;
      expect(typeof seconds).toBe('number');
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(MAX_HOLD_OFF_MS / 1000);
    });
  }
});
