import { describe, expect } from 'vitest';
import { createLogger, requestScope } from '../../src/logger.js';
import { createServer } from '../../src/server.js';
import { codes } from '../helpers/execute.js';
import { metricValue, parsePrometheus, scrape } from '../helpers/prometheus.js';
import { test, type Stack } from '../helpers/stack.js';

const TOKEN = 'metrics-token-0123456789';
// A server per test: counters, caches and the fixture's log start from nothing in each.
test.override({ stackOptions: { env: { METRICS_TOKEN: TOKEN } } });
const it = test;

const auth = { authorization: `Bearer ${TOKEN}` };
const post = (stack: Stack, body: unknown, headers: Record<string, string> = {}) =>
  fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('health', () => {
  it('when /healthz and /readyz are asked, then the process is alive and ready, without Redis', async ({ stack }) => {
    const health = await fetch(new URL('/healthz', stack.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(new URL('/readyz', stack.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, draining: false, redis: 'off' });
    expect(stack.fixture.calls()).toBe(0);
  });
});

describe('request ids', () => {
  it('when a client sends a sane x-request-id, then it is echoed; otherwise a new one is made', async ({ stack }) => {
    const given = await post(stack, { query: '{ __typename }' }, { 'x-request-id': 'client-req.42' });
    expect(given.headers.get('x-request-id')).toBe('client-req.42');

    const insane = await post(stack, { query: '{ __typename }' }, { 'x-request-id': 'a b"<script>' });
    expect(insane.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    const none = await post(stack, { query: '{ __typename }' });
    const other = await post(stack, { query: '{ __typename }' });
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.headers.get('x-request-id')).not.toBe(other.headers.get('x-request-id'));
    expect((await fetch(new URL('/healthz', stack.url), { headers: { 'x-request-id': 'probe-1' } })).headers.get('x-request-id')).toBe('probe-1');
  });

  it('when a request logs, then every line carries its id, the one echoed to the client', async ({ stack }) => {
    const lines: Array<Record<string, unknown>> = [];
    const server = createServer({ config: { ...stack.config, logLevel: 'debug' }, logger: createLogger('debug', (l) => lines.push(JSON.parse(l))) });
    const { url } = await server.listen(0, '127.0.0.1');
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'logged-req-1' },
        body: JSON.stringify({ query: '{ model(id: 64) { name } }' }),
      });
      expect(response.headers.get('x-request-id')).toBe('logged-req-1');
      await response.text();
      const ofRequest = lines.filter((l) => l.message === 'upstream cost');
      expect(ofRequest.length).toBeGreaterThan(0);
      expect(ofRequest.every((l) => l.requestId === 'logged-req-1')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('when code logs inside a request scope, then the line carries the id without being told', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (l) => lines.push(l));
    requestScope.run({ requestId: 'scoped-1' }, () => logger.warn('inside'));
    logger.warn('outside');
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'inside', requestId: 'scoped-1' });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('requestId');
  });
});

describe('/metrics', () => {
  it('when METRICS_TOKEN is set, then /metrics needs it', async ({ stack }) => {
    expect((await fetch(new URL('/metrics', stack.url))).status).toBe(401);
    expect((await fetch(new URL('/metrics', stack.url), { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const ok = await fetch(new URL('/metrics', stack.url), { headers: auth });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(() => parsePrometheus('not metrics at all')).toThrow();
  });

  it('when requests are made, then /metrics parses and its counters move: operations, errors per code, upstream calls per route', async ({ stack }) => {
    stack.fixture.resetLog();
    const before = await scrape(stack.url, auth);
    const requests = (s: typeof before) => metricValue(s, 'graphql_envelop_request_total', { operation_name: 'OneModel' });
    const badInput = (s: typeof before) => metricValue(s, 'cgql_graphql_errors_total', { code: 'BAD_USER_INPUT' });

    const good = await post(stack, { query: 'query OneModel { model(id: 23) { name } }', operationName: 'OneModel' });
    expect((await good.json()) as unknown).toMatchObject({ data: { model: { name: expect.any(String) } } });
    const bad = await stack.client.execute('query BadOne { models(first: -1) { totalCount } }');
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);

    const after = await scrape(stack.url, auth);
    expect(requests(after) - requests(before)).toBe(1);
    expect(badInput(after) - badInput(before)).toBe(1);
    // every request the fixture saw is counted once, under its route and status
    expect(stack.fixture.log.length).toBeGreaterThan(0);
    for (const { route, status } of stack.fixture.log) {
      const seen = stack.fixture.log.filter((e) => e.route === route && e.status === status).length;
      const labels = { route, status: String(status) };
      expect(metricValue(after, 'cgql_upstream_requests_total', labels) - metricValue(before, 'cgql_upstream_requests_total', labels)).toBe(seen);
    }
    expect(metricValue(after, 'graphql_yoga_http_duration_count', { operation_name: 'OneModel', status_code: '200' })).toBeGreaterThan(0);
    expect(metricValue(after, 'cgql_upstream_request_duration_seconds_count', { route: 'models' })).toBeGreaterThan(0);
    expect(metricValue(after, 'cgql_process_resident_memory_bytes')).toBeGreaterThan(0);
    // no label names a URL, an id or a key
    for (const sample of after) {
      expect(Object.keys(sample.labels)).not.toContain('url');
      for (const value of Object.values(sample.labels)) expect(value).not.toMatch(/\d{2,}\b.*\/|https?:|Bearer/);
    }
  });

  it('when an error gets its code only from useClosedErrors (a variable of the wrong type), then /metrics counts it under the code the client read', async ({ stack }) => {
    const count = async (code: string) => metricValue(await scrape(stack.url, auth), 'cgql_graphql_errors_total', { code });
    const [badInput, uncoded] = [await count('BAD_USER_INPUT'), await count('UNCODED')];
    const response = await post(stack, { query: 'query ($n: Int!) { models(first: $n) { nodes { id } } }', variables: { n: 'x' } });
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    expect([(await count('BAD_USER_INPUT')) - badInput, (await count('UNCODED')) - uncoded]).toEqual([1, 0]);
  });

  it('when a request is answered from the local cache or joins one in flight, then the cache metrics move by its cost', async ({ stack }) => {
    const local = async (outcome: string) => metricValue(await scrape(stack.url, auth), 'cgql_cache_lookups_total', { tier: 'local', outcome });
    const [hitsBefore, missesBefore] = [await local('hit'), await local('miss')];
    const cost = { 'x-upstream-cost': '1' };
    const query = '{ tags(first: 3) { nodes { name } } }';

    const cold = await stack.client.execute(query, {}, cost);
    const warm = await stack.client.execute(query, {}, cost);

    const coldCost = cold.extensions!.cost as { calls: number; cacheHits: number };
    const warmCost = warm.extensions!.cost as { calls: number; cacheHits: number };
    expect(warmCost.calls).toBe(0);
    expect(warmCost.cacheHits).toBeGreaterThan(0);
    expect((await local('hit')) - hitsBefore).toBe(coldCost.cacheHits + warmCost.cacheHits);
    expect((await local('miss')) - missesBefore).toBe(coldCost.calls);
  });

  it('when clients send many distinct operation names, then the label keeps a bounded set', async ({ stack }) => {
    for (let i = 0; i < 60; i++) await post(stack, { query: `query Op${i} { __typename }` });
    await post(stack, { query: 'query Bad { __typename }', operationName: 'Bad' });
    const samples = await scrape(stack.url, auth);
    const names = new Set(samples.filter((s) => s.name === 'graphql_envelop_request_total').map((s) => s.labels.operation_name));
    expect(names.size).toBeLessThanOrEqual(51);
    expect(names).toContain('other');
  });
});

describe('shutdown', () => {
  it('when close() starts, then /readyz answers 503 while requests are still served during SHUTDOWN_DELAY_MS, then the listener closes', async ({ stack }) => {
    const server = createServer({ config: { ...stack.config, server: { ...stack.config.server, shutdownDelayMs: 1_500 } }, logger: createLogger('silent') });
    const { url } = await server.listen(0, '127.0.0.1');
    expect((await fetch(new URL('/readyz', url))).status).toBe(200);

    const closed = server.close();
    const ready = await fetch(new URL('/readyz', url));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, draining: true, redis: 'off' });
    expect((await fetch(new URL('/healthz', url))).status).toBe(200);
    const served = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(await served.json()).toEqual({ data: { __typename: 'Query' } });

    await closed;
    await expect(fetch(new URL('/healthz', url))).rejects.toThrow();
  });
});
