/**
 * A client's mistake is logged at debug, never as an error; only faults of ours are errors.
 * The server runs with a logger that captures its lines.
 */
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFixtureUpstream, type FixtureUpstream } from '../../fixture/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createErrorMask, createServer, type CivitaiGraphQLServer } from '../../src/server.js';

interface Line {
  level: string;
  message: string;
  [key: string]: unknown;
}

let lines: Line[] = [];
let fixture: FixtureUpstream;
let server: CivitaiGraphQLServer;
let url: string;
const capture = (line: string) => lines.push(JSON.parse(line) as Line);

beforeAll(async () => {
  fixture = await createFixtureUpstream({});
  const config = loadConfig({ CIVITAI_API_URL: fixture.url, LOG_LEVEL: 'debug', UPSTREAM_MAX_ATTEMPTS: '1' });
  server = createServer({ config, logger: createLogger('debug', capture) });
  ({ url } = await server.listen(0, '127.0.0.1'));
});
afterAll(async () => {
  await server.close();
  await fixture.close();
});
beforeEach(() => {
  lines = [];
});

const post = (body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.json());
const errorLines = () => lines.filter((l) => l.level === 'error' || l.level === 'warn');

describe('logs', () => {
  it.each([
    ['malformed JSON', '{"query": ', 'BAD_REQUEST'],
    ['a syntax error', JSON.stringify({ query: '{ models(' }), 'GRAPHQL_PARSE_FAILED'],
    ['a validation error', JSON.stringify({ query: '{ nope }' }), 'GRAPHQL_VALIDATION_FAILED'],
    ['a bad variable', JSON.stringify({ query: 'query ($n: Int!) { models(first: $n) { nodes { id } } }', variables: { n: 'x' } }), 'BAD_USER_INPUT'],
    ['a missing query', '{}', 'BAD_REQUEST'],
  ])('when a client sends %s, then it is logged at debug and never as an error', async (_what, body, code) => {
    const answer = (await post(body)) as { errors: Array<{ extensions: { code: string } }> };
    expect(answer.errors[0]?.extensions.code).toBe(code);
    expect(errorLines()).toEqual([]);
    expect(lines.some((l) => l.level === 'debug' && l.message === 'request refused')).toBe(true);
  });

  it('when a query is fine, then nothing is logged above debug', async () => {
    await post(JSON.stringify({ query: '{ model(id: 64) { name } }' }));
    expect(errorLines()).toEqual([]);
  });

  it('when a fault of ours reaches the mask, then it is logged as an error and the client sees only a masked, coded error', () => {
    const logged: Line[] = [];
    const mask = createErrorMask(createLogger('debug', (line) => logged.push(JSON.parse(line) as Line)));
    const fault = new GraphQLError('boom', { path: ['model'], originalError: new TypeError("Cannot read properties of undefined (reading 'id')") });
    const masked = mask(fault) as GraphQLError;
    expect(masked.toJSON()).toEqual({ message: 'Unexpected error.', path: ['model'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(logged.map((l) => [l.level, l.message, l.error])).toEqual([['error', 'unexpected error', "TypeError: Cannot read properties of undefined (reading 'id')"]]);
    const client = new GraphQLError('Syntax Error: Unexpected <EOF>.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    logged.length = 0;
    expect(mask(client)).toBe(client);
    expect(logged).toEqual([]);
  });
});
