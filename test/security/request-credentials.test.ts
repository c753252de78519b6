/**
 * Who a request is, read once at the HTTP edge (src/http/request.ts): a malformed Bearer
 * credential is refused at every entry before any upstream call; an empty Authorization, or one
 * of another scheme (Basic added by a proxy), counts as no credential.
 */
import { describe, expect } from 'vitest';
import { test } from '../helpers/stack.js';

const QUERY = '{ tags(first: 1) { nodes { name } } }';
const METRICS_TOKEN = 'metrics-token-0123456789';

const MALFORMED: Record<string, string> = {
  'two words': 'Bearer two words',
  'over 512 characters': `Bearer ${'a'.repeat(600)}`,
  'outside the alphabet': 'Bearer abc!def',
  'no token': 'Bearer',
};

async function expectRefused(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_request"');
  const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
  expect(body.errors).toEqual([{ message: expect.stringMatching(/not a well-formed Bearer credential/), extensions: { code: 'UNAUTHENTICATED' } }]);
}

const post = (url: string, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers }, body: JSON.stringify({ query: QUERY }) });

describe('a malformed Bearer credential', () => {
  test.override({ stackOptions: { env: { METRICS_TOKEN } } });

  for (const [name, authorization] of Object.entries(MALFORMED)) {
    test(`when it is ${name}, then POST, GET, SSE and /metrics all answer 401 before any upstream call`, async ({ stack }) => {
      await expectRefused(await post(stack.url, { authorization }));
      const get = new URL(stack.url);
      get.searchParams.set('query', QUERY);
      await expectRefused(await fetch(get, { headers: { authorization, accept: 'application/graphql-response+json' } }));
      await expectRefused(await fetch(get, { headers: { authorization, accept: 'text/event-stream' } }));
      await expectRefused(await fetch(new URL('/metrics', stack.url), { headers: { authorization } }));
      expect(stack.fixture.log).toEqual([]);
    });
  }

  test('when the same token is well formed, then it is served and forwarded', async ({ stack }) => {
    const response = await post(stack.url, { authorization: 'Bearer fixture-key-alice' });
    expect(response.status).toBe(200);
    expect(stack.fixture.log.map((e) => e.auth)).toEqual(['valid']);
    expect((await fetch(new URL('/metrics', stack.url), { headers: { authorization: `bearer   ${METRICS_TOKEN}` } })).status).toBe(200);
  });
});

describe('no usable client credential', () => {
  test.override({ stackOptions: { env: { CIVITAI_API_KEY: 'fixture-key-alice' } } });

  for (const [name, headers] of Object.entries<Record<string, string>>({ 'no header': {}, 'an empty header': { authorization: '' }, 'a Basic credential': { authorization: 'Basic dXNlcjpwYXNz' } })) {
    test(`when a request has ${name}, then it is served as anonymous: with the server's key, from the shared whole-result cache`, async ({ stack }) => {
      const first = await stack.client.execute(QUERY, {}, { ...headers, 'x-upstream-cost': '0' });
      const second = await stack.client.execute(QUERY, {}, headers);
      expect(first.errors).toBeUndefined();
      expect(second).toEqual(first);
      // One upstream call, with the server's key; the repeat came from the whole-result cache.
      expect(stack.fixture.log.map((e) => e.auth)).toEqual(['valid']);
    });
  }
});
