/**
 * CORS never allows credentials and can be narrowed to CORS_ORIGINS; requests a page could forge
 * without a preflight (forms, multipart, text/plain, header-less GETs) are refused, while JSON
 * POSTs and GraphiQL work as before.
 */
import { describe, expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { test } from '../helpers/stack.js';

const it = test;

const query = JSON.stringify({ query: '{ __typename }' });
const cors = (response: Response) => ({
  origin: response.headers.get('access-control-allow-origin'),
  credentials: response.headers.get('access-control-allow-credentials'),
});

describe('CORS', () => {
  it('by default, any origin may read answers, never with credentials, preflight included', async ({ stack: open }) => {
    const preflight = await fetch(open.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://anyone.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(cors(preflight)).toEqual({ origin: 'https://anyone.example', credentials: null });
    const answer = await fetch(open.url, { method: 'POST', headers: { origin: 'https://anyone.example', 'content-type': 'application/json' }, body: query });
    expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
    expect(cors(answer)).toEqual({ origin: 'https://anyone.example', credentials: null });
    expect(answer.headers.get('vary')).toContain('Origin');
    // yoga's CORS names Origin and the caching headers name it too: once is enough.
    expect(answer.headers.get('vary')?.split(/,\s*/).filter((name) => name === 'Origin')).toEqual(['Origin']);
  });

  it('when a browser app on another origin asks, then it may read x-request-id and its preflight is cached for a day', async ({ stack: open }) => {
    const origin = 'https://app.example';
    const preflight = await fetch(open.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-graphql-yoga-csrf' },
    });
    expect([preflight.status, preflight.headers.get('access-control-max-age')]).toEqual([204, '86400']);
    const url = `${open.url}?query=${encodeURIComponent('{ __typename }')}`;
    // The second GET is a warm repeat, served from stored bytes: the same CORS headers.
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(url, { headers: { origin, 'x-graphql-yoga-csrf': '1' } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-request-id')).toBeTruthy();
      const exposed = (answer.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
      expect(exposed).toContain('x-request-id');
    }
  });

  describe('with CORS_ORIGINS', () => {
    test.override({ stackOptions: { env: { CORS_ORIGINS: 'https://app.example, http://localhost:3000' } } });

    it('with CORS_ORIGINS, listed origins are allowed without credentials and others get no CORS headers', async ({ stack: narrow }) => {
      for (const origin of ['https://app.example', 'http://localhost:3000']) {
        const answer = await fetch(narrow.url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: query });
        expect(cors(answer)).toEqual({ origin, credentials: null });
        expect(answer.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
      }
      const other = await fetch(narrow.url, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: query });
      expect(cors(other)).toEqual({ origin: null, credentials: null });
      const preflight = await fetch(narrow.url, { method: 'OPTIONS', headers: { origin: 'null', 'access-control-request-method': 'POST' } });
      expect(cors(preflight)).toEqual({ origin: null, credentials: null });
    });
  });

  it('when CORS_ORIGINS holds something that is not an origin, then the configuration is refused', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://ok.example,not an origin' })).toThrow(ConfigError);
    expect(loadConfig({ CORS_ORIGINS: '*' }).server.corsOrigins).toBeUndefined();
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example,https://b.example:8443' }).server.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
  });
});

describe('CSRF prevention', () => {
  it('when a form, multipart or text/plain body is posted, then it is refused with UNSUPPORTED_MEDIA_TYPE before execution', async ({ stack: open }) => {
    const form = (contentType: string, body: BodyInit) => fetch(open.url, { method: 'POST', headers: { 'content-type': contentType }, body });
    const multipart = new FormData();
    multipart.set('operations', query);
    const answers = [
      await form('application/x-www-form-urlencoded', 'query=%7B__typename%7D'),
      await fetch(open.url, { method: 'POST', body: multipart }),
      await form('text/plain', query),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(415);
      expect(((await answer.json()) as { errors: Array<{ extensions: unknown }> }).errors[0]?.extensions).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
  });

  it('when a GET carries no header that forces a preflight, then it is refused 403; with one it runs', async ({ stack: open }) => {
    const get = (headers: Record<string, string>) => fetch(`${open.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json', ...headers } });
    const bare = await get({});
    expect(bare.status).toBe(403);
    expect(((await bare.json()) as { errors: Array<{ extensions: unknown }> }).errors[0]?.extensions).toEqual({ code: 'BAD_REQUEST' });
    const preflighted: Array<Record<string, string>> = [{ 'x-graphql-yoga-csrf': '1' }, { 'apollo-require-preflight': 'true' }, { 'content-type': 'application/json' }];
    for (const headers of preflighted) {
      const answer = await get(headers);
      expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
    }
    expect(open.fixture.calls()).toBe(0);
  });

  it("when urql's default client sends a query as a GET, then the refusal names the two ways out, and each of them runs", async ({ stack: open }) => {
    // @urql/core's default (preferGetMethod: 'within-url-limit'): a GET with this Accept and no other header.
    const accept = 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';
    const url = `${open.url}?query=${encodeURIComponent('query Q { __typename }')}&operationName=Q`;
    const refused = await fetch(url, { headers: { accept } });
    expect(refused.status).toBe(403);
    const error = ((await refused.json()) as { errors: Array<{ message: string; extensions: unknown }> }).errors[0]!;
    expect(error.extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(error.message).toContain('x-graphql-yoga-csrf: 1');
    expect(error.message).toContain('preferGetMethod: false');
    // fetchOptions: { headers: { 'x-graphql-yoga-csrf': '1' } }, or preferGetMethod: false (a JSON POST).
    const withHeader = await fetch(url, { headers: { accept, 'x-graphql-yoga-csrf': '1' } });
    const asPost = await fetch(open.url, { method: 'POST', headers: { accept, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query Q { __typename }', operationName: 'Q' }) });
    for (const answer of [withHeader, asPost]) expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('when a plain JSON POST or the GraphiQL page is asked for, then nothing more is needed', async ({ stack: open }) => {
    const answer = await fetch(open.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: query });
    expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
    const page = await fetch(open.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('civitai-graphql');
  });
});
