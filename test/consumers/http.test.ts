/**
 * HTTP around the GraphQL answers: caching headers (public with the TTL left for anonymous GET
 * queries, private for credentials, no-store otherwise), ETag/304, compression by
 * Accept-Encoding (answers and the GraphiQL page), `GET /` and `HEAD`. Raw node:http requests,
 * so the bytes on the wire are what is checked. A GET carries `x-graphql-yoga-csrf: 1`, as a
 * non-Apollo client (and a CDN forwarding its request) must (docs/clients.md, "What a GET carries"); each test has a
 * server of its own, so no cached result leaks from one test into another.
 */
import { describe, expect } from 'vitest';
import { negotiateEncoding } from '../../src/http/headers.js';
import { secondsLeft } from '../../src/plugins/http-caching.js';
import { decode, raw } from '../helpers/raw-http.js';
import { test, type Stack } from '../helpers/stack.js';

const it = test;

const LIST = '{ models(first: 20, sort: NEWEST) { nodes { id name type creator { username } tags { name } } } }';
const SMALL = '{ models(first: 1, sort: NEWEST) { nodes { id } } }';

/** What a GET must carry besides the query: a header that forces a CORS preflight. */
const PREFLIGHT = { 'x-graphql-yoga-csrf': '1' };
/** RFC 9110 §8.8.3: an entity tag is quoted; a strong one has no `W/`. */
const STRONG_ETAG = /^"[^"\s]+"$/;
const get = (stack: Stack, query: string, headers: Record<string, string> = {}) =>
  raw(`${stack.url}?query=${encodeURIComponent(query)}`, { headers: { ...PREFLIGHT, ...headers } });

describe('HTTP caching headers', () => {
  it('when an anonymous query comes over GET, then it is public for the TTL left, varies on what changes it, and carries an ETag', async ({ stack }) => {
    const first = await get(stack, SMALL);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toMatch(/^public, max-age=(59|60)$/);
    expect(first.headers['vary']).toBe('Accept, Accept-Encoding, Authorization, Origin, X-Upstream-Cost');
    expect(first.headers['etag']).toMatch(STRONG_ETAG);
    const repeat = await get(stack, SMALL);
    expect(repeat.headers['etag']).toBe(first.headers['etag']);
    // The time left counts from when the whole result was stored (its Last-Modified).
    const age = (Date.parse(String(repeat.headers['date'])) - Date.parse(String(repeat.headers['last-modified']))) / 1000;
    const maxAge = Number(/max-age=(\d+)/.exec(String(repeat.headers['cache-control']))?.[1]);
    expect(maxAge).toBeLessThanOrEqual(60 - age);
    expect(maxAge).toBeGreaterThanOrEqual(60 - age - 2);
  });

  it('when the same GET comes without a preflight header, then it is refused and nothing may store the refusal', async ({ stack }) => {
    const bare = await raw(`${stack.url}?query=${encodeURIComponent(SMALL)}`);
    expect([bare.status, bare.headers['cache-control']]).toEqual([403, 'no-store']);
    expect(JSON.parse(bare.body.toString()).errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(stack.fixture.calls()).toBe(0);
  });

  it('when a client revalidates with If-None-Match, then 304 without a body and with the same caching', async ({ stack }) => {
    const first = await get(stack, SMALL);
    const callsBefore = stack.fixture.log.length;
    const revalidated = await get(stack, SMALL, { 'if-none-match': String(first.headers['etag']) });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.byteLength).toBe(0);
    expect(revalidated.headers['etag']).toBe(first.headers['etag']);
    expect(revalidated.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect(stack.fixture.log.length).toBe(callsBefore);
  });

  it('when the ETag comes back quoted, weak or in a list (as browsers and CDNs send it), then 304 all the same', async ({ stack }) => {
    const tag = String((await get(stack, SMALL)).headers['etag']);
    for (const ifNoneMatch of [tag, `W/${tag}`, `"other", ${tag}`]) {
      const revalidated = await get(stack, SMALL, { 'if-none-match': ifNoneMatch });
      expect([ifNoneMatch, revalidated.status, revalidated.headers['etag']]).toEqual([ifNoneMatch, 304, tag]);
    }
    expect((await get(stack, SMALL, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('when the same answer is sent as br, gzip and plain bytes, then each representation has its own ETag and revalidates only as itself', async ({ stack }) => {
    const plain = await get(stack, LIST);
    const br = await get(stack, LIST, { 'accept-encoding': 'br' });
    const gz = await get(stack, LIST, { 'accept-encoding': 'gzip' });
    expect([plain.headers['content-encoding'], br.headers['content-encoding'], gz.headers['content-encoding']]).toEqual([undefined, 'br', 'gzip']);
    const tags = [plain, br, gz].map((r) => String(r.headers['etag']));
    for (const tag of tags) expect(tag).toMatch(STRONG_ETAG);
    expect(new Set(tags).size).toBe(3);
    // The warm front serves the repeats from stored bytes: the same tags.
    expect(String((await get(stack, LIST, { 'accept-encoding': 'br' })).headers['etag'])).toBe(tags[1]);
    const calls = stack.fixture.calls();
    expect((await get(stack, LIST, { 'accept-encoding': 'br', 'if-none-match': tags[1]! })).status).toBe(304);
    // A gzip body is no valid copy of the br one: the full answer, with its own tag.
    const other = await get(stack, LIST, { 'accept-encoding': 'gzip', 'if-none-match': tags[1]! });
    expect([other.status, other.headers['content-encoding'], other.headers['etag']]).toEqual([200, 'gzip', tags[2]]);
    expect(stack.fixture.calls()).toBe(calls);
  });

  it('when the query is sent by POST, fails, or asks for a cost report, then nothing may store it', async ({ stack }) => {
    const post = await raw(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: SMALL }) });
    const failing = await get(stack, '{ model(id: 999999999) { id } }');
    const withCost = await get(stack, SMALL, { 'x-upstream-cost': '1' });
    expect([post.status, post.headers['cache-control']]).toEqual([200, 'no-store']);
    expect(JSON.parse(failing.body.toString()).errors[0].extensions.code).toBe('NOT_FOUND');
    expect(failing.headers['cache-control']).toBe('no-store');
    expect([withCost.status, withCost.headers['cache-control']]).toEqual([200, 'no-store']);
  });

  it('when the request carries credentials, then private, no-store', async ({ stack }) => {
    const withKey = await get(stack, SMALL, { authorization: 'Bearer some-client-key' });
    expect(withKey.headers['cache-control']).toBe('private, no-store');
    expect(withKey.headers['vary']).toContain('Authorization');
  });

  it('secondsLeft: the TTL minus the age of the stored result, never below zero, the whole TTL when nothing is stored', () => {
    const stored = 'Wed, 25 Nov 2026 12:00:00 GMT';
    const t = Date.parse(stored);
    expect(secondsLeft(60_000, stored, t + 12_500)).toBe(47);
    expect(secondsLeft(60_000, stored, t + 61_000)).toBe(0);
    expect(secondsLeft(60_000, undefined, t)).toBe(60);
  });
});

describe('HTTP caching headers with CIVITAI_API_KEY', () => {
  test.override({ stackOptions: { env: { CIVITAI_API_KEY: 'server-key' } } });

  it('when the server answers with its own key, then nothing is public either', async ({ stack }) => {
    const response = await get(stack, SMALL);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('private, no-store');
  });

});

describe('compression, GET / and HEAD', () => {
  it('when a client accepts br or gzip, then a JSON answer comes compressed and decodes to the plain bytes', async ({ stack }) => {
    const plain = await get(stack, LIST);
    const br = await get(stack, LIST, { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await get(stack, LIST, { 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.byteLength).toBeGreaterThan(1024);
    expect([br.headers['content-encoding'], gz.headers['content-encoding']]).toEqual(['br', 'gzip']);
    expect(br.body.byteLength).toBeLessThan(plain.body.byteLength / 2);
    expect(Number(br.headers['content-length'])).toBe(br.body.byteLength);
    expect(decode(br).toString()).toBe(plain.body.toString());
    expect(decode(gz).toString()).toBe(plain.body.toString());
  });

  it('when the GraphiQL page is asked with br, then it comes compressed from kept bytes, the same each time', async ({ stack }) => {
    const headers = { accept: 'text/html', 'accept-encoding': 'br' };
    const first = await raw(stack.url, { headers });
    const second = await raw(stack.url, { headers });
    expect(first.status).toBe(200);
    expect(first.headers['content-encoding']).toBe('br');
    const page = decode(first);
    // A few KB: the assets are apart (graphiql-page.test.ts).
    expect(page.byteLength).toBeLessThan(16_384);
    expect(page.toString()).toContain('<title>civitai-graphql</title>');
    expect(second.body.equals(first.body)).toBe(true);
    expect(second.headers['etag']).toBe(first.headers['etag']);
  });

  it('when a deferred answer streams, then it is not held back for compression', async ({ stack }) => {
    const response = await raw(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed', 'accept-encoding': 'br, gzip' },
      body: JSON.stringify({ query: '{ models(first: 2) { nodes { id ... @defer { name } } } }' }),
    });
    expect(response.headers['content-type']).toMatch(/^multipart\/mixed/);
    expect(response.headers['content-encoding']).toBeUndefined();
  });

  it('when / is asked, then it redirects to GraphiQL; HEAD answers without a body', async ({ stack }) => {
    const root = await raw(stack.url.replace(/\/graphql$/, '/'));
    expect([root.status, root.headers['location']]).toEqual([302, '/graphql']);
    const headPage = await raw(stack.url, { method: 'HEAD' });
    expect([headPage.status, headPage.headers['content-type'], headPage.body.byteLength]).toEqual([200, 'text/html; charset=utf-8', 0]);
    const headQuery = await raw(`${stack.url}?query=${encodeURIComponent(SMALL)}`, { method: 'HEAD', headers: PREFLIGHT });
    expect([headQuery.status, headQuery.body.byteLength]).toEqual([200, 0]);
    expect(headQuery.headers['content-type']).toMatch(/^application\/(graphql-response\+)?json/);
    expect(headQuery.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
  });

  it('negotiateEncoding: br before gzip, q-values honoured, identity when nothing fits', () => {
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br');
    expect(negotiateEncoding('br;q=0, gzip')).toBe('gzip');
    expect(negotiateEncoding('gzip;q=1.0, br;q=0.5')).toBe('gzip');
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('deflate')).toBeUndefined();
    expect(negotiateEncoding('identity')).toBeUndefined();
    expect(negotiateEncoding(null)).toBeUndefined();
  });
});

describe('COMPRESSION=false', () => {
  test.override({ stackOptions: { env: { COMPRESSION: 'false' } } });

  it('when compression is off, then answers go out plain whatever the client accepts', async ({ stack }) => {
    const response = await get(stack, LIST, { 'accept-encoding': 'br, gzip' });
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(response.body.toString()).data.models.nodes).toHaveLength(20);
  });
});
