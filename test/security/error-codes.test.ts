/**
 * The closed set of error codes, swept through HTTP: every failure class a client can cause or
 * meet answers JSON whose errors carry a code of docs/errors.md's table and only documented
 * extension keys; a response without `data` has a 4xx under application/graphql-response+json.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { GraphQLError } from 'graphql';
import { describe, expect } from 'vitest';
import { CodedError, ERROR_CODES, EXTENSION_KEYS } from '../../src/errors.js';
import { toClosedError } from '../../src/plugins/useClosedErrors.js';
import { test, type Stack } from '../helpers/stack.js';

// Each failure class is caused on a server of its own (faults and caches never carry over).
const env = { CACHE_MAX_BYTES: '0', UPSTREAM_TIMEOUT_MS: '300', UPSTREAM_RETRY_BUDGET_MS: '0', UPSTREAM_MAX_ATTEMPTS: '1' };
test.override({ stackOptions: { env } });
const it = test;

/** docs/errors.md: its table's codes and the extension keys it names. */
function documentedErrors(): { codes: string[]; text: string } {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const codes = [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1] as string);
  return { codes, text };
}

interface Seen {
  status: number;
  contentType: string | null;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }>; extensions?: unknown };
}

const GQL = 'application/graphql-response+json';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const JSON_POST = { 'content-type': 'application/json', accept: GQL };

async function call(stack: Stack, init: RequestInit & { path?: string; query?: string }): Promise<Seen> {
  const url = init.path ? stack.url.replace('/graphql', init.path) : `${stack.url}${init.query ?? ''}`;
  const response = await fetch(url, init);
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Seen['body'] };
}

const post = (stack: Stack, body: unknown, headers: Record<string, string> = JSON_POST) =>
  call(stack, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** A raw request that fetch would refuse to send (a malformed header line). */
function rawRequest(stack: Stack, lines: string): Promise<Seen> {
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    import('node:net').then(({ connect }) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write(lines));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => {
        const [head, body] = text.split('\r\n\r\n') as [string, string];
        resolve({ status: Number(head.split(' ')[1]), contentType: /content-type: ([^\r]+)/i.exec(head)?.[1] ?? null, body: JSON.parse(body) as Seen['body'] });
      });
      socket.on('error', reject);
    }, reject);
  });
}

const oversize = (stack: Stack): Promise<Seen> =>
  new Promise((resolve, reject) => {
    const url = new URL(stack.url);
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null, body: JSON.parse(text) as Seen['body'] }));
    });
    req.on('error', () => {});
    req.end(JSON.stringify({ query: '{ __typename }', extensions: { pad: 'x'.repeat(200_000) } }));
    req.on('error', reject);
  });

const withFault = async (stack: Stack, status: number, query = '{ model(id: 64) { name } }') => {
  stack.fixture.clearFaults();
  stack.fixture.inject({ fault: { kind: 'status', status }, route: 'model', times: Infinity });
  stack.fixture.inject({ fault: { kind: 'status', status }, route: 'models', times: Infinity });
  try {
    return await post(stack, { query });
  } finally {
    stack.fixture.clearFaults();
  }
};

/** Each failure class: how to cause it, the code it must carry, and the status under graphql-response+json. */
const classes: Array<[string, (stack: Stack) => Promise<Seen>, string, number]> = [
  ['a syntax error', (s) => post(s, { query: '{ models(' }), 'GRAPHQL_PARSE_FAILED', 400],
  ['an unknown field', (s) => post(s, { query: '{ nope }' }), 'GRAPHQL_VALIDATION_FAILED', 400],
  ['a body that is not JSON', (s) => post(s, '{"query": '), 'BAD_REQUEST', 400],
  ['a body without a query', (s) => post(s, {}), 'BAD_REQUEST', 400],
  ['an unknown body parameter', (s) => post(s, { query: '{ __typename }', pad: 1 }), 'BAD_REQUEST', 400],
  ['two operations and no name', (s) => post(s, { query: 'query A { __typename } query B { __typename }' }), 'BAD_REQUEST', 400],
  ['a variable of the wrong type', (s) => post(s, { query: 'query ($n: Int!) { models(first: $n) { nodes { id } } }', variables: { n: 'x' } }), 'BAD_USER_INPUT', 400],
  ['a missing required variable', (s) => post(s, { query: 'query ($id: Int!) { model(id: $id) { id } }' }), 'BAD_USER_INPUT', 400],
  ['a PUT', (s) => call(s, { method: 'PUT', headers: JSON_POST, body: '{}' }), 'METHOD_NOT_ALLOWED', 405],
  ['a mutation over GET', (s) => call(s, { method: 'GET', query: '?query=mutation%7B__typename%7D', headers: { accept: GQL, 'x-graphql-yoga-csrf': '1' } }), 'METHOD_NOT_ALLOWED', 405],
  ['an XML body', (s) => post(s, '<q/>', { 'content-type': 'text/xml', accept: GQL }), 'UNSUPPORTED_MEDIA_TYPE', 415],
  ['a form post', (s) => post(s, 'query=%7B__typename%7D', { 'content-type': 'application/x-www-form-urlencoded', accept: GQL }), 'UNSUPPORTED_MEDIA_TYPE', 415],
  ['an Accept nothing can meet', (s) => post(s, { query: '{ __typename }' }, { 'content-type': 'application/json', accept: 'text/csv' }), 'NOT_ACCEPTABLE', 406],
  ['a GET without a preflight header', (s) => call(s, { method: 'GET', query: '?query=%7B__typename%7D', headers: { accept: GQL } }), 'BAD_REQUEST', 403],
  ['a path other than /graphql', (s) => call(s, { method: 'GET', path: '/nope', headers: { accept: GQL } }), 'NOT_FOUND', 404],
  ['an oversize body', oversize, 'QUERY_TOO_COSTLY', 413],
  ['oversize headers', (s) => call(s, { method: 'GET', query: `?query=${'x'.repeat(20_000)}`, headers: { accept: GQL } }), 'QUERY_TOO_COSTLY', 431],
  ['malformed HTTP', (s) => rawRequest(s, 'POST /graphql HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n'), 'BAD_REQUEST', 400],
  ['too many tokens', (s) => post(s, { query: `{ ${'__typename '.repeat(3000)} }` }), 'QUERY_TOO_COSTLY', 400],
  ['too deep', (s) => post(s, { query: '{ models(first: 1) { nodes { modelVersions { model { modelVersions { model { modelVersions { model { modelVersions { model { modelVersions { model { name } } } } } } } } } } } } }' }), 'QUERY_TOO_COSTLY', 400],
  ['too many aliases', (s) => post(s, { query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: model(id: 64) { name }`).join(' ')} }` }), 'QUERY_TOO_COSTLY', 400],
  ['too many planned upstream calls', (s) => post(s, { query: '{ models(first: 100) { nodes { creator { models(first: 100) { nodes { tags { models(first: 100) { nodes { id } } } } } } } } }' }), 'QUERY_TOO_COSTLY', 400],
  ['a bad argument', (s) => post(s, { query: '{ creator(username: "  ") { username } }' }), 'BAD_USER_INPUT', 200],
  ['a missing model', (s) => post(s, { query: '{ model(id: 3) { name } }' }), 'NOT_FOUND', 200],
  ['an upstream 401', (s) => withFault(s, 401), 'UNAUTHENTICATED', 200],
  ['an upstream 403', (s) => withFault(s, 403), 'FORBIDDEN', 200],
  ['an upstream 500', (s) => withFault(s, 500), 'UPSTREAM_UNAVAILABLE', 200],
  ['an upstream 429', (s) => withFault(s, 429), 'UPSTREAM_RATE_LIMITED', 200],
  [
    'an upstream stall',
    async (stack) => {
      stack.fixture.inject({ fault: { kind: 'slow', ms: 1000 }, route: 'model', times: Infinity });
      stack.fixture.inject({ fault: { kind: 'slow', ms: 1000 }, route: 'models', times: Infinity });
      try {
        return await post(stack, { query: '{ model(id: 64) { name } }' });
      } finally {
        stack.fixture.clearFaults();
      }
    },
    'UPSTREAM_TIMEOUT',
    200,
  ],
  [
    'an upstream HTML page',
    async (stack) => {
      stack.fixture.inject({ fault: { kind: 'html', status: 200 }, route: 'model', times: Infinity });
      stack.fixture.inject({ fault: { kind: 'html', status: 200 }, route: 'models', times: Infinity });
      try {
        return await post(stack, { query: '{ model(id: 64) { name } }' });
      } finally {
        stack.fixture.clearFaults();
      }
    },
    'UPSTREAM_BAD_RESPONSE',
    200,
  ],
  ['an unknown APQ hash alone', (s) => post(s, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ never { sent } }') } } }), 'PERSISTED_QUERY_NOT_FOUND', 404],
  ['an APQ hash that is not the query\'s', (s) => post(s, { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ other }') } } }), 'PERSISTED_QUERY_MISMATCH', 400],
];

/** Failure classes of PERSISTED_OPERATIONS=trusted (only the manifest's documents run). */
const trustedClasses: typeof classes = [
  ['query text', (s) => post(s, { query: '{ __typename }' }), 'PERSISTED_QUERY_ONLY', 400],
  ['an id not in the manifest', (s) => post(s, { documentId: `sha256:${sha256('nope')}` }), 'PERSISTED_QUERY_NOT_IN_LIST', 404],
  ['neither a query nor an id', (s) => post(s, { variables: {} }), 'PERSISTED_QUERY_ID_REQUIRED', 400],
];

const seenCodes = new Set<string>();

describe('every failure class carries a documented code', () => {
  it('the docs/errors.md table lists exactly the codes of src/errors.ts, and names every extension key', () => {
    const { codes, text } = documentedErrors();
    expect([...codes].sort()).toEqual([...ERROR_CODES].sort());
    for (const key of EXTENSION_KEYS) expect(text).toContain(`\`${key}\``);
  });

  const sweep = async (stack: Stack, [, cause, code, status]: (typeof classes)[number]) => {
    const seen = await cause(stack);
    expect(seen.contentType).toMatch(/^application\/(graphql-response\+)?json/);
    expect(Object.keys(seen.body).every((k) => ['data', 'errors', 'extensions'].includes(k))).toBe(true);
    expect(seen.body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    expect(seen.status).toBe(status);
    if (!('data' in seen.body)) expect(seen.status).toBeGreaterThanOrEqual(400);
    const { codes } = documentedErrors();
    for (const error of seen.body.errors ?? []) {
      expect(codes).toContain(error.extensions?.code);
      expect(Object.keys(error.extensions ?? {}).every((k) => (EXTENSION_KEYS as readonly string[]).includes(k)), JSON.stringify(error.extensions)).toBe(true);
      expect(JSON.stringify(error)).not.toMatch(/originalError|stack|httpStatus|127\.0\.0\.1/);
      seenCodes.add(String(error.extensions?.code));
    }
  };

  it.for(classes)('%s', async (failure, { stack }) => sweep(stack, failure));

  describe('PERSISTED_OPERATIONS=trusted', () => {
    test.override({ stackOptions: { env: { ...env, PERSISTED_OPERATIONS: 'trusted' } } });
    it.for(trustedClasses)('%s', async (failure, { stack }) => sweep(stack, failure));
  });

  it('with application/json, a GraphQL-layer refusal keeps 200 while an HTTP-level one keeps its status', async ({ stack }) => {
    const parse = await post(stack, { query: '{ models(' }, { 'content-type': 'application/json', accept: 'application/json' });
    expect([parse.status, parse.body.errors?.[0]?.extensions?.code]).toEqual([200, 'GRAPHQL_PARSE_FAILED']);
    const unknownHash = await post(stack, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ x }') } } }, { 'content-type': 'application/json', accept: 'application/json' });
    expect([unknownHash.status, unknownHash.body.errors?.[0]?.extensions?.code]).toEqual([404, 'PERSISTED_QUERY_NOT_FOUND']);
    const badJson = await post(stack, '{', { 'content-type': 'application/json', accept: 'application/json' });
    expect([badJson.status, badJson.body.errors?.[0]?.extensions?.code]).toEqual([400, 'BAD_REQUEST']);
  });

  it('a fault of ours leaves as INTERNAL_SERVER_ERROR with a masked message and nothing else', () => {
    const fault = new GraphQLError('Cannot read properties of undefined (reading "id")', { path: ['model', 'id'], extensions: { secret: 'x', http: { status: 500 } } });
    expect(toClosedError(fault, false).toJSON()).toEqual({ message: 'Unexpected error.', path: ['model', 'id'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    seenCodes.add('INTERNAL_SERVER_ERROR');
  });

  describe('live subscriptions (over SSE)', () => {
    test.override({ stackOptions: { env: { ...env, MAX_SUBSCRIPTIONS: '0' } } });
    it('a subscription past MAX_SUBSCRIPTIONS: TOO_MANY_SUBSCRIPTIONS in the stream, documented keys only', async ({ stack }) => {
      const response = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: 'subscription { modelPublished { civitaiId } }' }) });
      const text = await response.text();
      const event = JSON.parse(/^data: (.+)$/m.exec(text)?.[1] ?? '{}') as { errors?: Array<{ extensions?: Record<string, unknown> }> };
      expect(event.errors?.map((e) => e.extensions)).toEqual([{ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 'process' }]);
      expect(text).toMatch(/event: complete/);
      seenCodes.add('TOO_MANY_SUBSCRIPTIONS');
    });
  });

  it('a reader that falls behind: SLOW_READER, closed to documented keys', () => {
    const error = new CodedError('SLOW_READER', 'The subscription was closed: more than 1 events were waiting for the client to read them.');
    expect(toClosedError(error, false).extensions).toEqual({ code: 'SLOW_READER' });
    // Caused for real in test/unit/live-poll.test.ts (a registry whose reader never reads).
    seenCodes.add('SLOW_READER');
  });

  it('the sweep met every code of the closed set', () => {
    expect([...seenCodes].sort()).toEqual([...ERROR_CODES].sort());
  });
});
