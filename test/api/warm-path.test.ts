/**
 * The warm path (src/http/warm-front.ts): a repeat of a cacheable request is answered with the
 * bytes of the first answer, before yoga, and only where the whole-result cache would have
 * answered it. Hits are observed on /metrics (`cgql_cache_lookups_total{tier="front"}`).
 */
import { afterEach, describe, expect, vi } from 'vitest';
import type { FixtureUpstream } from '../../fixture/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createServer } from '../../src/server.js';
import { test } from '../helpers/stack.js';

const LIST = '{ models(first: 5) { nodes { id name creator { username } } } }';
const json = { 'content-type': 'application/json' };

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) };
}

const post = (url: string, query: string, headers: Record<string, string> = {}) =>
  send(url, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify({ query }) });

/** Warm-front hits so far, from the server's /metrics. */
async function warmHits(graphqlUrl: string): Promise<number> {
  const text = await fetch(new URL('/metrics', graphqlUrl)).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith('cgql_cache_lookups_total{') && l.includes('tier="front"') && l.includes('outcome="hit"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** The headers a repeat must answer exactly as the first time. */
const STABLE = ['content-type', 'cache-control', 'etag', 'last-modified', 'vary', 'content-encoding'];
const stable = (a: Answer) => Object.fromEntries(STABLE.map((name) => [name, a.headers[name]]));

describe('warm repeats served as stored bytes', () => {
  test('when a POST is repeated, then the answer is byte-identical with the same headers, from the front, with no upstream call', async ({ stack }) => {
    const cold = await post(stack.url, LIST);
    const calls = stack.fixture.calls();
    expect(calls).toBeGreaterThan(0);
    expect(cold.headers['etag']).toBeDefined();
    const warm = await post(stack.url, LIST);
    expect(warm.status).toBe(200);
    expect(warm.body.equals(cold.body)).toBe(true);
    expect(stable(warm)).toEqual(stable(cold));
    expect(warm.headers['content-length']).toBe(String(warm.body.byteLength));
    expect(stack.fixture.calls()).toBe(calls);
    expect(await warmHits(stack.url)).toBe(1);
  });

  test('when a GET is repeated with compression, then the same compressed bytes and the public max-age come back; another encoding is not given them', async ({ stack }) => {
    const url = `${stack.url}?query=${encodeURIComponent('{ models(first: 30) { nodes { id name type creator { username } } } }')}`;
    const gzip = { 'accept-encoding': 'gzip', 'x-graphql-yoga-csrf': '1' };
    const cold = await send(url, { headers: gzip });
    expect(cold.headers['content-encoding']).toBe('gzip');
    expect(cold.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    const warm = await send(url, { headers: gzip });
    expect(warm.body.equals(cold.body)).toBe(true);
    expect(stable(warm)).toEqual(stable(cold));
    expect(await warmHits(stack.url)).toBe(1);
    const plain = await send(url, { headers: { 'accept-encoding': 'identity', 'x-graphql-yoga-csrf': '1' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString())).toHaveProperty('data.models.nodes');
    expect(await warmHits(stack.url)).toBe(1);
  });

  test('when a named operation is served warm, then each answer is counted as an HTTP request of that operation, and no execution is', async ({ stack }) => {
    const named = 'query WarmCount { models(first: 3) { nodes { id } } }';
    const count = async (metric: string) => {
      const text = await fetch(new URL('/metrics', stack.url)).then((r) => r.text());
      const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes('operation_name="WarmCount"'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    await post(stack.url, named);
    const [http, executed] = [await count('graphql_yoga_http_duration_count'), await count('graphql_envelop_request_total')];
    expect([http, executed]).toEqual([1, 1]);
    await post(stack.url, named);
    await post(stack.url, named);
    expect(await warmHits(stack.url)).toBe(2);
    expect(await count('graphql_yoga_http_duration_count')).toBe(3);
    expect(await count('graphql_envelop_request_total')).toBe(1);
  });

  test('when the client sends a request id, then a warm answer echoes it; without one, each warm answer gets its own', async ({ stack }) => {
    await post(stack.url, LIST);
    const echoed = await post(stack.url, LIST, { 'x-request-id': 'warm-1' });
    const a = await post(stack.url, LIST);
    const b = await post(stack.url, LIST);
    expect(await warmHits(stack.url)).toBe(3);
    expect(echoed.headers['x-request-id']).toBe('warm-1');
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  test('when a client sends its own key after an anonymous answer was stored, then it is answered for its key, not from the store', async ({ stack }) => {
    const [alice] = Object.keys(stack.fixture.apiKeys) as [string];
    const owner = stack.fixture.catalogue.users.find((u) => u.username === stack.fixture.apiKeys[alice])?.id;
    const own = stack.fixture.catalogue.models.find((m) => m.ownerOnly && m.userId === owner)?.id;
    const query = '{ models(first: 100, sort: NEWEST) { nodes { civitaiId } } }';
    const ids = (a: Answer) => (JSON.parse(a.body.toString()) as { data: { models: { nodes: Array<{ civitaiId: number }> } } }).data.models.nodes.map((n) => n.civitaiId);
    await post(stack.url, query);
    const anonymous = await post(stack.url, query);
    expect(await warmHits(stack.url)).toBe(1);
    expect(ids(anonymous)).not.toContain(own);
    const calls = stack.fixture.calls();
    const keyed = await post(stack.url, query, { authorization: `Bearer ${alice}` });
    expect(ids(keyed)).toContain(own);
    expect(stack.fixture.calls()).toBeGreaterThan(calls);
    expect(await warmHits(stack.url)).toBe(1);
  });

  test('when a repeat asks for a cost report, then it is executed and reports its cost, never the stored bytes', async ({ stack }) => {
    const cold = await post(stack.url, LIST);
    const costed = await post(stack.url, LIST, { 'x-upstream-cost': '1' });
    expect(costed.body.equals(cold.body)).toBe(false);
    expect(JSON.parse(costed.body.toString())).toHaveProperty('extensions.cost');
    expect(await warmHits(stack.url)).toBe(0);
  });

  test('when a repeat carries If-None-Match, then the response cache still answers 304', async ({ stack }) => {
    const cold = await post(stack.url, LIST);
    const conditional = await post(stack.url, LIST, { 'if-none-match': cold.headers['etag'] as string });
    expect(conditional.status).toBe(304);
    expect(await warmHits(stack.url)).toBe(0);
  });

  test('when a GET without a preflight header repeats one that was stored, then CSRF prevention still refuses it', async ({ stack }) => {
    const url = `${stack.url}?query=${encodeURIComponent(LIST)}`;
    const allowed = await send(url, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(allowed.status).toBe(200);
    const forged = await send(url);
    expect(forged.status).toBe(403);
    expect(await warmHits(stack.url)).toBe(0);
  });

  test('when an answer has errors, then it is not stored', async ({ stack }) => {
    const bad = '{ model(id: "not-a-number") { name } }';
    const first = await post(stack.url, bad);
    const second = await post(stack.url, bad);
    expect(JSON.parse(first.body.toString())).toHaveProperty('errors');
    expect(JSON.parse(second.body.toString())).toHaveProperty('errors');
    expect(await warmHits(stack.url)).toBe(0);
  });
});

describe('warm repeats expire with the whole-result cache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // The clock is faked (Date only: sockets and timers stay real) and starts on a whole second, so
  // that Last-Modified (whole seconds) is the instant the result was stored, whatever the machine's
  // load: the warm entry lives exactly the TTL, and the test moves time past it instead of sleeping.
  test('when the TTL has passed, then a repeat is executed again and reaches the upstream', async ({ upstream }) => {
    const start = Math.ceil(Date.now() / 1000) * 1000;
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    const config = loadConfig({ CIVITAI_API_URL: upstream.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CACHE_TTL_LIST_MS: '1000', CACHE_TTL_ENTITY_MS: '1000', CACHE_STALE_MS: '0' });
    const server = createServer({ config, logger: createLogger('silent') });
    const { url } = await server.listen(0, '127.0.0.1');
    try {
      await post(url, LIST);
      vi.setSystemTime(start + 999);
      await post(url, LIST);
      expect(await warmHits(url)).toBe(1);
      const calls = upstream.calls();
      vi.setSystemTime(start + 1_001);
      const late = await post(url, LIST);
      expect(late.status).toBe(200);
      expect(upstream.calls()).toBeGreaterThan(calls);
      expect(await warmHits(url)).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('whole results with the server key', () => {
  async function serverWithKey(fixture: FixtureUpstream, key: string) {
    const config = loadConfig({ CIVITAI_API_URL: fixture.url, CIVITAI_API_KEY: key, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    const server = createServer({ config, logger: createLogger('silent') });
    const { url } = await server.listen(0, '127.0.0.1');
    return { server, url };
  }

  test('when requests without Authorization go upstream with the server key, then they share one cached partition, and other keys do not see it', async ({ upstream }) => {
    const [alice, bob] = Object.keys(upstream.apiKeys) as [string, string];
    const ownerOf = (key: string) => upstream.catalogue.users.find((u) => u.username === upstream.apiKeys[key])?.id;
    const aliceModel = upstream.catalogue.models.find((m) => m.ownerOnly && m.userId === ownerOf(alice));
    const query = `{ model(id: ${aliceModel?.id}) { name } }`;
    const { server, url } = await serverWithKey(upstream, alice);
    try {
      const cold = await post(url, query);
      expect(JSON.parse(cold.body.toString())).toEqual({ data: { model: { name: aliceModel?.name } } });
      expect(cold.headers['etag']).toBeDefined();
      expect(cold.headers['cache-control']).toBe('private, no-store');
      const calls = upstream.calls();
      const warm = await post(url, query);
      expect(warm.body.equals(cold.body)).toBe(true);
      expect(stable(warm)).toEqual(stable(cold));
      expect(upstream.calls()).toBe(calls);
      expect(await warmHits(url)).toBe(1);
      const asBob = await post(url, query, { authorization: `Bearer ${bob}` });
      expect(JSON.parse(asBob.body.toString())).toMatchObject({ data: { model: null }, errors: [{ extensions: { code: 'NOT_FOUND' } }] });
      expect(upstream.log.at(-1)?.auth).toBe('valid');
      expect(await warmHits(url)).toBe(1);
    } finally {
      await server.close();
    }
  });
});
