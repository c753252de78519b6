/**
 * CLIENT_CALLS_PER_MINUTE: a budget of planned upstream calls per client (its key, else its
 * address) per minute, charged before any upstream call; in memory in one replica, in Redis for
 * a fleet. Refused: QUERY_TOO_COSTLY, `limit: 'client'`, `retryAfter`, HTTP 429 with Retry-After.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureUpstream, type FixtureUpstream } from '../../fixture/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createServer, type CivitaiGraphQLServer } from '../../src/server.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startReplicas, type Replica } from '../helpers/fleet.js';
import { createClient, type GraphQLClient } from '../helpers/execute.js';
import { allModelIds } from '../helpers/upstream.js';

const MODEL = 'query M($id: Int!) { model(id: $id) { id name } }';
const GQL = 'application/graphql-response+json';
let redis: TestRedis;
let fixture: FixtureUpstream;
let ids: number[];
let keys: string[];
let servers: CivitaiGraphQLServer[] = [];
let fleet: Replica[] = [];

beforeAll(async () => {
  redis = await startRedis();
  fixture = await createFixtureUpstream();
  ids = await allModelIds(fixture);
  keys = Object.keys(fixture.apiKeys);
});
afterEach(async () => {
  await Promise.all([...servers, ...fleet.map((r) => r.server)].map((s) => s.close()));
  servers = [];
  fleet = [];
  fixture.resetLog();
});
afterAll(async () => {
  await fixture?.close();
  await redis?.stop();
});

async function single(env: Record<string, string>): Promise<GraphQLClient> {
  const config = loadConfig({ CIVITAI_API_URL: fixture.url, LOG_LEVEL: 'silent', ...env });
  const server = createServer({ config, logger: createLogger('silent') });
  servers.push(server);
  return createClient((await server.listen(0, '127.0.0.1')).url);
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}`, accept: GQL });
let next = 0;
/** A model nobody asked for yet: MODEL plans 2 upstream calls (the model, and its versions when needed). */
const freshId = () => ids[next++ % ids.length]!;

describe('the per-client budget of planned upstream calls', () => {
  it('when a client has spent its budget in one replica, then its next query is refused before any upstream call, and another client is served', async () => {
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const client = await single({ CLIENT_CALLS_PER_MINUTE: '6' });
    for (let i = 0; i < 3; i++) expect((await client.execute(MODEL, { id: freshId() }, bearer(keys[0]!))).errors).toBeUndefined();
    const before = fixture.calls();

    const refused = await client.execute(MODEL, { id: freshId() }, bearer(keys[0]!));

    expect(refused.status).toBe(429);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', limit: 'client', planned: 2, budget: 6 });
    expect(refused.errors![0]!.extensions!.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.errors![0]!.extensions!.retryAfter).toBeLessThanOrEqual(60);
    expect(fixture.calls()).toBe(before);
    // another key has its own budget; anonymous clients are counted by address
    expect((await client.execute(MODEL, { id: freshId() }, bearer(keys[1]!))).errors).toBeUndefined();
    expect((await client.execute(MODEL, { id: freshId() }, { accept: GQL })).errors).toBeUndefined();
  });

  it('when a client spreads its queries over a fleet, then the budget is counted once for the fleet in Redis', async () => {
    fleet = await startReplicas(3, fixture.url, redis.url, { CLIENT_CALLS_PER_MINUTE: '8' });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await fleet[i % 3]!.client.execute(MODEL, { id: freshId() }, bearer(keys[0]!)));
    expect(answers.map((a) => a.errors)).toEqual([undefined, undefined, undefined, undefined]);
    const before = fixture.calls();

    const refused = await Promise.all(fleet.map((r) => r.client.execute(MODEL, { id: freshId() }, bearer(keys[0]!))));

    expect(refused.map((r) => [r.status, r.errors?.[0]?.extensions?.limit])).toEqual([
      [429, 'client'],
      [429, 'client'],
      [429, 'client'],
    ]);
    expect(fixture.calls()).toBe(before);
  });

  it('when the budget is 0 (the default), then nothing is counted', async () => {
    const client = await single({});
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.execute(MODEL, { id: freshId() }, bearer(keys[0]!))));
    expect(answers.every((a) => !a.errors)).toBe(true);
  });
});
