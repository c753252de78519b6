/**
 * HTTP around the GraphQL answers: caching headers (public with the TTL left for anonymous GET
 * queries, private for credentials, no-store otherwise), ETag/304, compression by
 * Accept-Encoding (answers and the GraphiQL page), `GET /` and `HEAD`. Raw node:http requests,
 * so the bytes on the wire are what is checked.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiateEncoding } from '../../src/plugins/compression.js';
import { secondsLeft } from '../../src/plugins/http-caching.js';
import { startStack, type Stack } from '../helpers/stack.js';

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const decode = (r: Raw) =>
  r.headers['content-encoding'] === 'br' ? brotliDecompressSync(r.body) : r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body;

const LIST = '{ models(first: 20, sort: NEWEST) { nodes { id name type creator { username } tags { name } } } }';
const SMALL = '{ models(first: 1, sort: NEWEST) { nodes { id } } }';

describe('HTTP caching headers', () => {
  let stack: Stack;
  const get = (query: string, headers: Record<string, string> = {}) => raw(`${stack.url}?query=${encodeURIComponent(query)}`, { headers });
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('when an anonymous query comes over GET, then it is public for the TTL left, varies on what changes it, and carries an ETag', async () => {
    const first = await get(SMALL);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toMatch(/^public, max-age=(59|60)$/);
    expect(first.headers['vary']).toBe('Accept, Accept-Encoding, Authorization, X-Upstream-Cost');
    expect(first.headers['etag']).toMatch(/^[0-9a-f]{64}$/);
    const repeat = await get(SMALL);
    expect(repeat.headers['etag']).toBe(first.headers['etag']);
    // The time left counts from when the whole result was stored (its Last-Modified).
    const age = (Date.parse(String(repeat.headers['date'])) - Date.parse(String(repeat.headers['last-modified']))) / 1000;
    const maxAge = Number(/max-age=(\d+)/.exec(String(repeat.headers['cache-control']))?.[1]);
    expect(maxAge).toBeLessThanOrEqual(60 - age);
    expect(maxAge).toBeGreaterThanOrEqual(60 - age - 2);
  });

  it('when a client revalidates with If-None-Match, then 304 without a body and with the same caching', async () => {
    const first = await get(SMALL);
    const callsBefore = stack.fixture.log.length;
    const revalidated = await get(SMALL, { 'if-none-match': String(first.headers['etag']) });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.byteLength).toBe(0);
    expect(revalidated.headers['etag']).toBe(first.headers['etag']);
    expect(revalidated.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect(stack.fixture.log.length).toBe(callsBefore);
  });

  it('when the query is sent by POST, fails, or asks for a cost report, then nothing may store it', async () => {
    const post = await raw(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: SMALL }) });
    const failing = await get('{ model(id: 999999999) { id } }');
    const withCost = await get(SMALL, { 'x-upstream-cost': '1' });
    expect([post.status, post.headers['cache-control']]).toEqual([200, 'no-store']);
    expect(JSON.parse(failing.body.toString()).errors[0].extensions.code).toBe('NOT_FOUND');
    expect(failing.headers['cache-control']).toBe('no-store');
    expect([withCost.status, withCost.headers['cache-control']]).toEqual([200, 'no-store']);
  });

  it('when the request carries credentials, then private, no-store', async () => {
    const withKey = await get(SMALL, { authorization: 'Bearer some-client-key' });
    expect(withKey.headers['cache-control']).toBe('private, no-store');
    expect(withKey.headers['vary']).toContain('Authorization');
  });

  it('when the server answers with its own key, then nothing is public either', async () => {
    const keyed = await startStack({ env: { CIVITAI_API_KEY: 'server-key' } });
    try {
      const response = await raw(`${keyed.url}?query=${encodeURIComponent(SMALL)}`);
      expect(response.headers['cache-control']).toBe('private, no-store');
    } finally {
      await keyed.close();
    }
  });

  it('secondsLeft: the TTL minus the age of the stored result, never below zero, the whole TTL when nothing is stored', () => {
    const stored = 'Wed, 25 Nov 2026 12:00:00 GMT';
    const t = Date.parse(stored);
    expect(secondsLeft(60_000, stored, t + 12_500)).toBe(47);
    expect(secondsLeft(60_000, stored, t + 61_000)).toBe(0);
    expect(secondsLeft(60_000, undefined, t)).toBe(60);
  });
});

describe('compression, GET / and HEAD', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('when a client accepts br or gzip, then a JSON answer comes compressed and decodes to the plain bytes', async () => {
    const url = `${stack.url}?query=${encodeURIComponent(LIST)}`;
    const plain = await raw(url);
    const br = await raw(url, { 'headers': { 'accept-encoding': 'gzip, deflate, br' } });
    const gz = await raw(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.byteLength).toBeGreaterThan(1024);
    expect([br.headers['content-encoding'], gz.headers['content-encoding']]).toEqual(['br', 'gzip']);
    expect(br.body.byteLength).toBeLessThan(plain.body.byteLength / 2);
    expect(Number(br.headers['content-length'])).toBe(br.body.byteLength);
    expect(decode(br).toString()).toBe(plain.body.toString());
    expect(decode(gz).toString()).toBe(plain.body.toString());
  });

  it('when the GraphiQL page is asked with br, then it comes compressed, the same bytes each time', async () => {
    const headers = { accept: 'text/html', 'accept-encoding': 'br' };
    const first = await raw(stack.url, { headers });
    const second = await raw(stack.url, { headers });
    expect(first.status).toBe(200);
    expect(first.headers['content-encoding']).toBe('br');
    const page = decode(first);
    expect(page.byteLength).toBeGreaterThan(5_000_000);
    expect(first.body.byteLength).toBeLessThan(page.byteLength / 3);
    expect(page.toString()).toContain('<title>civitai-graphql</title>');
    expect(second.body.equals(first.body)).toBe(true);
  });

  it('when a deferred answer streams, then it is not held back for compression', async () => {
    const response = await raw(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed', 'accept-encoding': 'br, gzip' },
      body: JSON.stringify({ query: '{ models(first: 2) { nodes { id ... @defer { name } } } }' }),
    });
    expect(response.headers['content-type']).toMatch(/^multipart\/mixed/);
    expect(response.headers['content-encoding']).toBeUndefined();
  });

  it('when / is asked, then it redirects to GraphiQL; HEAD answers without a body', async () => {
    const root = await raw(stack.url.replace(/\/graphql$/, '/'));
    expect([root.status, root.headers['location']]).toEqual([302, '/graphql']);
    const headPage = await raw(stack.url, { method: 'HEAD' });
    expect([headPage.status, headPage.headers['content-type'], headPage.body.byteLength]).toEqual([200, 'text/html; charset=utf-8', 0]);
    const headQuery = await raw(`${stack.url}?query=${encodeURIComponent(SMALL)}`, { method: 'HEAD' });
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
  it('when compression is off, then answers go out plain whatever the client accepts', async () => {
    const stack = await startStack({ env: { COMPRESSION: 'false' } });
    try {
      const response = await raw(`${stack.url}?query=${encodeURIComponent(LIST)}`, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(response.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(response.body.toString()).data.models.nodes).toHaveLength(20);
    } finally {
      await stack.close();
    }
  });
});
