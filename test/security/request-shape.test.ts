/**
 * Malformed requests that used to reach the error mask as raw exceptions (500
 * INTERNAL_SERVER_ERROR, logged as a fault of ours) get a documented code instead.
 */
import { describe, expect } from 'vitest';
import { test } from '../helpers/stack.js';

const it = test;
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('malformed requests get a closed code, never a 500', () => {
  it('a GET whose variables or extensions parameter is not JSON: 400 BAD_REQUEST', async ({ stack }) => {
    for (const name of ['variables', 'extensions']) {
      const response = await fetch(`${stack.url}?query=${encodeURIComponent('{ __typename }')}&${name}=%7B`, { headers: { 'x-graphql-yoga-csrf': '1' } });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ errors: [{ message: `The \`${name}\` query parameter is not valid JSON.`, extensions: { code: 'BAD_REQUEST' } }] });
    }
  });

  it('variables nested 40,000 levels deep (80 KB): 400 BAD_REQUEST, no upstream call', async ({ stack }) => {
    const body = `{"query":"query($h:[String!]!){ modelVersionsByHash(hashes:$h){ id } }","variables":{"h":${'['.repeat(40_000)}${']'.repeat(40_000)}}}`;
    const response = await fetch(stack.url, { method: 'POST', headers: JSON_HEADERS, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [{ message: '`variables` is nested deeper than 64 levels.', extensions: { code: 'BAD_REQUEST' } }] });
    expect(stack.fixture.calls()).toBe(0);
  });

  it('a mutation is a validation error', async ({ stack }) => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: 'mutation { __typename }' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'This API has no mutations: only queries and subscriptions can be run.', locations: [{ line: 1, column: 1 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
    });
  });

  it('a subscription that asks for a JSON answer is refused (406) before it subscribes: nothing is polled', async ({ stack }) => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: 'subscription { modelPublished { civitaiId } }' }),
    });
    expect(response.status).toBe(406);
    expect(((await response.json()) as { errors: Array<{ extensions: unknown }> }).errors[0]?.extensions).toEqual({ code: 'NOT_ACCEPTABLE' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([stack.server.live.subscriptions, stack.fixture.calls()]).toEqual([0, 0]);
  });

  it('a mutation over GET is still 405', async ({ stack }) => {
    const response = await fetch(`${stack.url}?query=${encodeURIComponent('mutation { __typename }')}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(response.status).toBe(405);
    expect(((await response.json()) as { errors: Array<{ extensions: unknown }> }).errors[0]?.extensions).toEqual({ code: 'METHOD_NOT_ALLOWED' });
  });
});
