/**
 * Persisted operations through Apollo Client 4's own PersistedQueryLink over HTTP, against a real
 * server and the fixture: APQ (hash first, then hash + query once), and trusted documents from the
 * manifest codegen emits (generated/persisted-documents.json).
 */
import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { print, type DocumentNode } from 'graphql';
import { describe, expect } from 'vitest';
import { ModelListDocument, SearchModelsDocument } from '../../generated/graphql.js';
import { test, type Stack } from '../helpers/stack.js';

/** Each test has a server of its own: no hash registered by one test is known to another. */
const it = test;

interface Sent {
  method: string;
  body: { query?: string; extensions?: { persistedQuery?: { sha256Hash: string } } } | undefined;
  url: string;
  status: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Apollo Client with the persisted-query link, recording every HTTP exchange. */
function apollo(url: string, sent: Sent[], linkOptions: Partial<ConstructorParameters<typeof PersistedQueryLink>[0]> = {}) {
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    sent.push({ method: init?.method ?? 'GET', body, url: String(input), status: response.status });
    return response;
  };
  const persisted = new PersistedQueryLink({ sha256, ...linkOptions } as ConstructorParameters<typeof PersistedQueryLink>[0]);
  return new ApolloClient({
    link: ApolloLink.from([persisted, new HttpLink({ uri: url, fetch: recordingFetch })]),
    cache: new InMemoryCache(),
  });
}

describe('APQ (PERSISTED_OPERATIONS=apq, the default)', () => {
  it('when Apollo sends an unknown hash, then the server answers PersistedQueryNotFound, Apollo re-sends hash + query once, and later clients send the hash alone', async ({ stack }) => {
    const sent: Sent[] = [];
    const first = await apollo(stack.url, sent).query({ query: ModelListDocument, variables: { first: 3 } });
    // The text Apollo sent on its retry (with its __typename fields) is the one the hash names.
    const text = sent[1]?.body?.query ?? '';
    const hash = sha256(text);
    const expected = await stack.client.execute(text, { first: 3 });
    expect(expected.errors).toBeUndefined();
    expect(first.data).toEqual(expected.data);
    expect(sent.map((s) => [s.status, s.body?.query === undefined, s.body?.extensions?.persistedQuery?.sha256Hash])).toEqual([
      [404, true, hash],
      [200, false, hash],
    ]);

    const later: Sent[] = [];
    const again = await apollo(stack.url, later).query({ query: ModelListDocument, variables: { first: 3 } });
    expect(again.data).toEqual(expected.data);
    expect(later.map((s) => [s.status, s.body?.query === undefined])).toEqual([[200, true]]);
  });

  it('when the hash-only request answers, then its body is the error Apollo recognises', async ({ stack }) => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ never { sent } }') } } }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
  });

  it('when a hash does not match its query, then PERSISTED_QUERY_MISMATCH and nothing is stored', async ({ stack }) => {
    const query = '{ models(first: 1) { nodes { id } } }';
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('something else') } } }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: Array<{ extensions: unknown }> }).errors.map((e) => e.extensions)).toEqual([{ code: 'PERSISTED_QUERY_MISMATCH' }]);
    const hashOnly = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('something else') } } }),
    });
    expect(hashOnly.status).toBe(404);
  });

  it('when Apollo uses GET for hashed queries, then a registered hash is answered over GET with public caching', async ({ stack }) => {
    const sent: Sent[] = [];
    const client = apollo(stack.url, sent, { useGETForHashedQueries: true });
    const variables = { query: 'a' };
    await client.query({ query: SearchModelsDocument, variables });
    expect(sent.map((s) => [s.method, s.status])).toEqual([
      ['GET', 404],
      ['POST', 200],
    ]);
    const again: Sent[] = [];
    const result = await apollo(stack.url, again, { useGETForHashedQueries: true }).query({ query: SearchModelsDocument, variables });
    expect(result.data?.models!.nodes.length).toBeGreaterThan(0);
    expect(again.map((s) => [s.method, s.status])).toEqual([['GET', 200]]);
    // Apollo's HttpLink sends `content-type: application/json` on a GET too, which is what lets it
    // through CSRF prevention; a CDN forwards it. The same URL without it is refused, unstored.
    const raw = await fetch(again[0]!.url, { headers: { 'content-type': 'application/json' } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const bare = await fetch(again[0]!.url);
    expect([bare.status, bare.headers.get('cache-control')]).toEqual([403, 'no-store']);
  });
});

describe('trusted documents (PERSISTED_OPERATIONS=trusted)', () => {
  test.override({ stackOptions: { env: { PERSISTED_OPERATIONS: 'trusted' } } });
  const manifestHash = (document: unknown) => (document as { __meta__: { hash: string } }).__meta__.hash;

  const post = (stack: Stack, body: unknown) =>
    fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> },
    }));

  it('when Apollo sends the manifest hash of a codegen document, then it runs with one request', async ({ stack }) => {
    const sent: Sent[] = [];
    const client = apollo(stack.url, sent, { generateHash: (document: DocumentNode) => manifestHash(document) } as never);
    const result = await client.query({ query: ModelListDocument, variables: { first: 2 } });
    expect(result.data?.models!.edges).toHaveLength(2);
    expect(sent.map((s) => [s.status, s.body?.query === undefined])).toEqual([[200, true]]);
  });

  it('when a client sends documentId (with or without the sha256: prefix), then the manifest document runs', async ({ stack }) => {
    const id = manifestHash(ModelListDocument);
    const withPrefix = await post(stack, { documentId: id, variables: { first: 1 } });
    const bare = await post(stack, { documentId: id.replace(/^sha256:/, ''), variables: { first: 1 } });
    expect(withPrefix.status).toBe(200);
    expect(withPrefix.body.errors).toBeUndefined();
    expect(bare.body).toEqual(withPrefix.body);
  });

  it('when a client sends query text or an unknown id, then it is refused before any upstream call', async ({ stack }) => {
    const before = stack.fixture.log.length;
    const text = await post(stack, { query: print(ModelListDocument as DocumentNode), variables: { first: 1 } });
    const unknown = await post(stack, { documentId: `sha256:${sha256('nope')}` });
    const none = await post(stack, { variables: {} });
    expect([text.status, text.body.errors?.map((e) => e.extensions?.['code'])]).toEqual([400, ['PERSISTED_QUERY_ONLY']]);
    expect([unknown.status, unknown.body.errors?.map((e) => e.extensions?.['code'])]).toEqual([404, ['PERSISTED_QUERY_NOT_IN_LIST']]);
    expect([none.status, none.body.errors?.map((e) => e.extensions?.['code'])]).toEqual([400, ['PERSISTED_QUERY_ID_REQUIRED']]);
    expect(stack.fixture.log.length).toBe(before);
  });
});

describe('PERSISTED_OPERATIONS=off', () => {
  test.override({ stackOptions: { env: { PERSISTED_OPERATIONS: 'off' } } });

  it('when a client sends a hash alone, then it is told to send the query text', async ({ stack }) => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ __typename }') } } }),
    });
    expect(((await response.json()) as { errors: Array<{ message: string }> }).errors.map((e) => e.message)).toEqual(['Must provide query string.']);
  });
});
