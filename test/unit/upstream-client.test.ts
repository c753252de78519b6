import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createResponseCache } from '../../src/cache/index.js';
import { createUpstreamClient, credentialFor, emptyCost, type UpstreamClient } from '../../src/upstream/client.js';
import { UpstreamError } from '../../src/upstream/errors.js';

/** A scripted upstream: each path answers with the next queued reply, else 200 {path, auth}. */
type Reply = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
const queue = new Map<string, Reply[]>();
const seen: Array<{ url: string; auth: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    const path = (req.url ?? '').split('?')[0] as string;
    const reply = queue.get(path)?.shift();
    if (reply) return reply(req, res);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path, auth: req.headers.authorization ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
beforeEach(() => {
  queue.clear();
  seen.length = 0;
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

function client(overrides: { maxBytes?: number; timeoutMs?: number; budget?: number } = {}): UpstreamClient {
  return createUpstreamClient({
    baseUrl: base,
    timeoutMs: overrides.timeoutMs ?? 2000,
    retry: { maxAttempts: 3, baseDelayMs: 10, maxTotalWaitMs: overrides.budget ?? 500 },
    cache: createResponseCache({ maxBytes: overrides.maxBytes ?? 1_000_000, staleMs: 0 }),
    ttlMs: { list: 60_000, entity: 60_000, notFound: 60_000 },
  });
}

const request = (path: string) => ({ route: 'model' as const, path, cacheKind: 'entity' as const, parse: (b: unknown) => b as { path: string; auth: string | null } });
const scope = (key?: string) => ({ credential: credentialFor(key), cost: emptyCost() });

describe('upstream client', () => {
  it('when the same request repeats, then the second is served from the cache with no call', async () => {
    const c = client();
    const s = scope();
    await c.get(request('/a'), s);
    await c.get(request('/a'), s);
    expect(seen).toHaveLength(1);
    expect(s.cost).toMatchObject({ calls: 1, cacheHits: 1 });
  });

  it('when identical requests are in flight together, then one upstream call serves them all', async () => {
    const c = client();
    queue.set('/slow', [(_req, res) => setTimeout(() => json(200, { path: '/slow', auth: null })(_req, res), 100)]);
    const scopes = [scope(), scope(), scope()];
    await Promise.all(scopes.map((s) => c.get(request('/slow'), s)));
    expect(seen).toHaveLength(1);
    expect(scopes.reduce((n, s) => n + s.cost.inflightShares, 0)).toBe(2);
  });

  it('when two credentials ask the same thing, then each gets its own call and answer, keyed by a hash not the key', async () => {
    const c = client();
    const anon = await c.get(request('/m'), scope());
    const a = await c.get(request('/m'), scope('key-a'));
    const b = await c.get(request('/m'), scope('key-b'));
    const a2 = await c.get(request('/m'), scope('key-a'));
    expect([anon.auth, a.auth, b.auth, a2.auth]).toEqual([null, 'Bearer key-a', 'Bearer key-b', 'Bearer key-a']);
    expect(seen).toHaveLength(3);
    const key = c.keyOf(request('/m'), credentialFor('key-a'));
    expect(key).not.toContain('key-a');
    expect(key).toMatch(/^[0-9a-f]{16} \/m$/);
  });

  it('when the cache is full, then it stays within its byte bound', async () => {
    const c = client({ maxBytes: 2_000 });
    for (let i = 0; i < 50; i++) await c.get(request(`/item-${i}`), scope());
    expect(c.cache.bytes).toBeLessThanOrEqual(2_000);
    expect(c.cache.size).toBeLessThan(50);
  });

  it('when the upstream says no-store or private, then the answer is not cached', async () => {
    const c = client();
    queue.set('/p', [json(200, { path: '/p', auth: null }, { 'cache-control': 'max-age=0, private, no-cache' }), json(200, { path: '/p', auth: null })]);
    await c.get(request('/p'), scope());
    await c.get(request('/p'), scope());
    expect(seen).toHaveLength(2);
  });

  it('when a 404 comes back, then it is remembered briefly and not asked again', async () => {
    const c = client();
    queue.set('/gone', [json(404, { error: 'No model with id 5' })]);
    for (let i = 0; i < 2; i++) {
      await expect(c.get(request('/gone'), scope())).rejects.toMatchObject({ kind: 'http', status: 404, upstreamMessage: 'No model with id 5' });
    }
    expect(seen).toHaveLength(1);
  });

  it('when 502 then 503 then 200 come back, then the call retries and succeeds', async () => {
    const c = client();
    queue.set('/flaky', [json(502, {}), json(503, { error: 'busy' }, { 'retry-after': '0' })]);
    const s = scope();
    await expect(c.get(request('/flaky'), s)).resolves.toMatchObject({ path: '/flaky' });
    expect(s.cost).toMatchObject({ calls: 3, retries: 2 });
  });

  it('when the deep-page 429 comes back, then it is not retried and reads as a page limit', async () => {
    const c = client();
    queue.set('/deep', [json(429, { error: "You've requested too many pages, please use cursors instead" })]);
    const error = await c.get(request('/deep'), scope()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).isPageLimit).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('when a 429 asks to wait longer than the retry budget, then the call fails at once with the wait', async () => {
    const c = client({ budget: 100 });
    queue.set('/rate', [json(429, { error: 'Rate limit exceeded' }, { 'retry-after': '30' })]);
    const error = (await c.get(request('/rate'), scope()).catch((e: unknown) => e)) as UpstreamError;
    expect(error).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 30_000 });
    expect(seen).toHaveLength(1);
  });

  it.each([
    ['malformed JSON', json(200, '{"items": [', {}), 'parse'],
    ['an HTML maintenance page', ((_q, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>We are adjusting a few things</html>'); }) as Reply, 'parse'],
  ])('when the body is %s, then the error kind is %s', async (_what, reply, kind) => {
    const c = client();
    queue.set('/bad', [reply]);
    await expect(c.get(request('/bad'), scope())).rejects.toMatchObject({ kind });
  });

  it('when the body fails the schema, then the error kind is invalid and names no URL', async () => {
    const c = client();
    const strict = { ...request('/shape'), parse: (b: unknown) => { if (!(b as { ok?: true }).ok) throw new Error('bad'); return b; } };
    const error = (await c.get(strict, scope()).catch((e: unknown) => e)) as UpstreamError;
    expect(error.kind).toBe('invalid');
    expect(error.message).not.toContain('127.0.0.1');
  });

  it('when the upstream is too slow, then the call times out (after its retries)', async () => {
    const c = client({ timeoutMs: 50, budget: 50 });
    const hang: Reply = (_req, res) => setTimeout(() => json(200, {})(_req, res), 500);
    queue.set('/hang', [hang, hang, hang]);
    await expect(c.get(request('/hang'), scope())).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('when the connection is reset, then the error kind is network', async () => {
    const c = client({ budget: 0 });
    queue.set('/reset', [(req) => req.socket.destroy()]);
    await expect(c.get(request('/reset'), scope())).rejects.toMatchObject({ kind: 'network' });
  });
});
