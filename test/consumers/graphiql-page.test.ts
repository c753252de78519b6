/**
 * GraphiQL's page and its assets over HTTP: the page is a few KB of HTML (no-cache, strong ETag)
 * that loads its JS, CSS, workers and icon from our own /graphiql/<name>.<hash>.<ext> routes
 * (no CDN: the demo runs offline); each asset is immutable-cached under a name that changes
 * with its content, kept compressed (br, gzip) and plain, each representation with its own strong
 * ETag, and revalidation answers 304.
 */
import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import { graphiqlPage } from '../../src/http/graphiql-assets.js';
import { decode, raw, type Raw } from '../helpers/raw-http.js';
import { test, type Stack } from '../helpers/stack.js';

const it = test;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const STRONG_ETAG = /^"[^"\s]+"$/;
const HTML = { accept: 'text/html' };

const pageOf = (stack: Stack, headers: Record<string, string> = {}) => raw(stack.url, { headers: { ...HTML, ...headers } });
const origin = (stack: Stack) => new URL(stack.url).origin;

/** The asset paths the page refers to (stylesheet, script, icon, the editor's workers). */
function assetsOf(page: Raw): string[] {
  return [...new Set(decode(page).toString().match(/\/graphiql\/[\w.-]+/g) ?? [])].sort();
}

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', ico: 'image/x-icon' };

describe('the GraphiQL page', () => {
  it('when a browser asks for it, then it is a few KB of HTML, no-cache with a strong ETag, loading its assets from /graphiql/', async ({ stack }) => {
    const page = await pageOf(stack);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body.byteLength).toBeLessThan(16_384);
    expect(Number(page.headers['content-length'])).toBe(page.body.byteLength);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['etag']).toMatch(STRONG_ETAG);
    // /graphql is also the GraphQL endpoint: Accept picks the page, Accept-Encoding its bytes.
    expect(page.headers['vary']).toBe('Accept, Accept-Encoding');
    const html = page.body.toString();
    expect(html).toContain('<title>civitai-graphql</title>');
    expect(html).not.toMatch(/https?:\/\//);
    const assets = assetsOf(page);
    expect(assets.map((path) => path.replace(/\.[0-9a-f]{20}\./, '.*.')).sort()).toEqual([
      '/graphiql/editor-worker.*.js',
      '/graphiql/favicon.*.ico',
      '/graphiql/graphiql.*.css',
      '/graphiql/graphiql.*.js',
      '/graphiql/graphql-worker.*.js',
      '/graphiql/json-worker.*.js',
    ]);
  });

  it('when it is revalidated with its ETag, then it answers 304; each encoding has its own ETag', async ({ stack }) => {
    const plain = await pageOf(stack);
    const br = await pageOf(stack, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(decode(br).equals(plain.body)).toBe(true);
    const plainTag = String(plain.headers['etag']);
    const brTag = String(br.headers['etag']);
    expect(brTag).toMatch(STRONG_ETAG);
    expect(brTag).not.toBe(plainTag);

    const notModified = await pageOf(stack, { 'if-none-match': plainTag });
    expect([notModified.status, notModified.body.byteLength, notModified.headers['etag'], notModified.headers['cache-control']]).toEqual([304, 0, plainTag, 'no-cache']);
    // If-None-Match compares weakly; a list matches when one of its tags does; `*` matches any.
    expect((await pageOf(stack, { 'if-none-match': `W/${plainTag}` })).status).toBe(304);
    expect((await pageOf(stack, { 'if-none-match': `"other", ${brTag}`, 'accept-encoding': 'br' })).status).toBe(304);
    expect((await pageOf(stack, { 'if-none-match': '*' })).status).toBe(304);
    // The plain page's tag does not validate the br one.
    const other = await pageOf(stack, { 'if-none-match': plainTag, 'accept-encoding': 'br' });
    expect([other.status, other.headers['content-encoding'], other.headers['etag']]).toEqual([200, 'br', brTag]);
  });

  it('when HEAD asks for the page, then it has the GET headers and no body', async ({ stack }) => {
    const get = await pageOf(stack);
    const head = await raw(stack.url, { method: 'HEAD' });
    expect([head.status, head.body.byteLength, head.headers['content-type'], head.headers['etag'], head.headers['cache-control']]).toEqual([
      200,
      0,
      'text/html; charset=utf-8',
      get.headers['etag'],
      'no-cache',
    ]);
  });

  it('when the page is asked again, then it is not served as a stored GraphQL answer by the warm front', async ({ stack }) => {
    for (let i = 0; i < 3; i++) expect((await pageOf(stack)).status).toBe(200);
    const metrics = await (await fetch(new URL('/metrics', stack.url))).text();
    expect(metrics).toContain('# TYPE cgql_cache_lookups_total counter');
    expect(metrics.split('\n').filter((line) => line.includes('tier="front"') && line.includes('outcome="hit"') && !line.endsWith(' 0'))).toEqual([]);
  });
});

describe('the GraphiQL assets', () => {
  it('when each is asked plain, gzip and br, then it is 200, immutable, named by its content, and the same bytes in each encoding', async ({ stack }) => {
    const assets = assetsOf(await pageOf(stack));
    expect(assets).toHaveLength(6);
    let total = 0;
    for (const path of assets) {
      const url = origin(stack) + path;
      const plain = await raw(url);
      const gzip = await raw(url, { headers: { 'accept-encoding': 'gzip' } });
      const br = await raw(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      for (const r of [plain, gzip, br]) {
        expect([r.status, r.headers['cache-control'], r.headers['content-type']]).toEqual([200, IMMUTABLE, TYPES[path.split('.').pop() ?? '']]);
        expect(r.headers['etag']).toMatch(STRONG_ETAG);
        expect(r.headers['vary']).toMatch(/Accept-Encoding/);
        expect(Number(r.headers['content-length'])).toBe(r.body.byteLength);
      }
      expect([plain.headers['content-encoding'], gzip.headers['content-encoding'], br.headers['content-encoding']]).toEqual([undefined, 'gzip', 'br']);
      expect(new Set([plain.headers['etag'], gzip.headers['etag'], br.headers['etag']]).size).toBe(3);
      expect(decode(gzip).equals(plain.body)).toBe(true);
      expect(decode(br).equals(plain.body)).toBe(true);
      expect(br.body.byteLength).toBeLessThan(plain.body.byteLength / 2);
      // The name changes with the content, so `immutable` can never keep a stale asset.
      expect(path).toContain(`.${createHash('sha256').update(plain.body).digest('hex').slice(0, 20)}.`);
      // Kept, not compressed again: the same bytes each time.
      const again = await raw(url, { headers: { 'accept-encoding': 'br' } });
      expect([again.headers['etag'], again.body.equals(br.body)]).toEqual([br.headers['etag'], true]);
      total += plain.body.byteLength;
    }
    // The whole GraphiQL bundle (JS, CSS, the editor's three workers, the icon) is there.
    expect(total).toBeGreaterThan(8_000_000);
    const js = assets.find((path) => path.startsWith('/graphiql/graphiql.') && path.endsWith('.js')) ?? '';
    expect((await raw(origin(stack) + js)).body.toString()).toContain('renderYogaGraphiQL');
  });

  it('when an asset is revalidated, then it answers 304 with its ETag and the immutable headers; HEAD has no body', async ({ stack }) => {
    const [path] = assetsOf(await pageOf(stack)).filter((p) => p.endsWith('.css'));
    const url = origin(stack) + String(path);
    for (const encoding of ['identity', 'gzip', 'br']) {
      const first = await raw(url, { headers: { 'accept-encoding': encoding } });
      const revalidated = await raw(url, { headers: { 'accept-encoding': encoding, 'if-none-match': String(first.headers['etag']) } });
      expect([revalidated.status, revalidated.body.byteLength, revalidated.headers['etag'], revalidated.headers['cache-control']]).toEqual([304, 0, first.headers['etag'], IMMUTABLE]);
      expect(revalidated.headers['vary']).toMatch(/Accept-Encoding/);
    }
    const head = await raw(url, { method: 'HEAD', headers: { 'accept-encoding': 'br' } });
    expect([head.status, head.body.byteLength, head.headers['content-encoding'], head.headers['cache-control']]).toEqual([200, 0, 'br', IMMUTABLE]);
  });

  it('when Accept-Encoding weighs encodings, then its preference is served', async ({ stack }) => {
    const [path] = assetsOf(await pageOf(stack)).filter((p) => p.endsWith('.css'));
    const url = origin(stack) + String(path);
    const encodingFor = async (acceptEncoding: string) => (await raw(url, { headers: { 'accept-encoding': acceptEncoding } })).headers['content-encoding'];
    expect(await encodingFor('br;q=0, gzip')).toBe('gzip');
    expect(await encodingFor('gzip;q=1.0, br;q=0.5')).toBe('gzip');
    expect(await encodingFor('*')).toBe('br');
    expect(await encodingFor('identity')).toBeUndefined();
    expect(await encodingFor('deflate')).toBeUndefined();
  });

  it('when an unknown or stale asset is asked, then 404; another method, then 405', async ({ stack }) => {
    const [path] = assetsOf(await pageOf(stack)).filter((p) => p.endsWith('.css'));
    const stale = await raw(`${origin(stack)}/graphiql/graphiql.00000000000000000000.css`);
    expect([stale.status, stale.headers['cache-control']]).toEqual([404, 'no-store']);
    expect((await raw(`${origin(stack)}/graphiql/`)).status).toBe(404);
    expect((await raw(`${origin(stack)}/graphiql/graphiql.js`)).status).toBe(404);
    const post = await raw(origin(stack) + String(path), { method: 'POST', body: 'x' });
    expect([post.status, post.headers['allow']]).toEqual([405, 'GET, HEAD']);
  });
});

describe('graphiqlPage', () => {
  const paths = { js: '/g/a.js', css: '/g/a.css', favicon: '/g/a.ico', editorWorkerService: '/g/e.js', jsonWorker: '/g/j.js', graphqlWorker: '/g/q.js' };
  it('when an option holds markup, then it stays a string inside the script and the title is escaped', () => {
    const html = graphiqlPage({ title: '<b>x</b>', defaultQuery: '# </script><script>alert(1)</script>\n{ __typename }' }, { paths, byPath: new Map() });
    expect(html).toContain('<title>&#60;b&#62;x&#60;/b&#62;</title>');
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).toContain('\\u003c/script>\\u003cscript>alert(1)');
  });
});
