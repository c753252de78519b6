import { describe, expect } from 'vitest';
import type { Fault } from '../../fixture/index.js';
import { codes } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0', UPSTREAM_TIMEOUT_MS: '300', UPSTREAM_RETRY_BUDGET_MS: '1000', UPSTREAM_MAX_ATTEMPTS: '3' } } });

const TWO_FIELDS = '{ model(id: 64) { name } tags(first: 2) { nodes { name } } }';

describe('upstream faults', () => {
  test.for<[string, Fault, string]>([
    ['a 500', { kind: 'status', status: 500 } as const, 'UPSTREAM_UNAVAILABLE'],
    ['an HTML maintenance page', { kind: 'html', status: 200 } as const, 'UPSTREAM_BAD_RESPONSE'],
    ['malformed JSON', { kind: 'malformed' } as const, 'UPSTREAM_BAD_RESPONSE'],
    ['a body of the wrong shape', { kind: 'invalid-shape' } as const, 'UPSTREAM_BAD_RESPONSE'],
    ['a reset connection, every time', { kind: 'reset' } as const, 'UPSTREAM_UNAVAILABLE'],
    ['a stall past the timeout, every time', { kind: 'slow', ms: 1000 } as const, 'UPSTREAM_TIMEOUT'],
    ['a 429 with Retry-After, every time', { kind: 'status', status: 429, headers: { 'retry-after': '0' } } as const, 'UPSTREAM_RATE_LIMITED'],
  ])('when the model lookup gets %s, then that field fails with %s and the other field keeps its data', async ([_what, fault, code], { stack }) => {
    stack.fixture.inject({ fault, route: 'models', times: Infinity });
    stack.fixture.inject({ fault, route: 'model', times: Infinity });
    const result = await stack.client.execute(TWO_FIELDS);
    expect(result.status).toBe(200);
    expect((result.data as { model: unknown }).model).toBeNull();
    expect((result.data as { tags: { nodes: unknown[] } }).tags.nodes).toHaveLength(2);
    expect(codes(result)).toEqual([code]);
    const text = JSON.stringify(result.errors);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toMatch(/stack|at \w+ \(/);
  });

  test('when a 502 then a 503 come back, then the call is retried and succeeds', async ({ stack }) => {
    stack.fixture.inject({ fault: { kind: 'status', status: 502 }, route: 'tags' });
    stack.fixture.inject({ fault: { kind: 'status', status: 503, headers: { 'retry-after': '0' } }, route: 'tags' });
    const result = await stack.client.execute('{ tags(first: 2) { nodes { name } } }');
    expect(result.errors).toBeUndefined();
    expect(stack.fixture.calls('tags')).toBe(3);
  });

  test('when the upstream refuses a deep page number, then it is not retried and the client is told to use cursors', async ({ stack }) => {
    stack.fixture.inject({ fault: { kind: 'status', status: 429, body: { error: "You've requested too many pages, please use cursors instead" } }, route: 'tags' });
    const result = await stack.client.execute('{ tags(first: 2) { nodes { name } } }');
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.calls('tags')).toBe(1);
  });

  test('when a 404 or 400 comes back, then it is not retried', async ({ stack }) => {
    stack.fixture.inject({ fault: { kind: 'status', status: 400 }, route: 'tags', times: Infinity });
    const result = await stack.client.execute('{ tags(first: 2) { nodes { name } } }');
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.calls('tags')).toBe(1);
  });
});
