/**
 * With CIVITAI_API_KEY set, anonymous clients see what the key sees, unless
 * ANONYMOUS_USES_SERVER_KEY=false, in which case they go upstream without a key; a client's own
 * key is used either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureUpstream, type FixtureUpstream } from '../../fixture/index.js';
import { loadConfig } from '../../src/config.js';
import { startStack, type Stack } from '../helpers/stack.js';

let probe: FixtureUpstream;
let serverKey: string;
let clientKey: string;
let serverKeyModel: number;
beforeAll(async () => {
  // The fixture's keys and catalogue are deterministic: read them once from a throwaway one.
  probe = await createFixtureUpstream({});
  [serverKey, clientKey] = Object.keys(probe.apiKeys) as [string, string];
  const owner = probe.catalogue.users.find((u) => u.username === probe.apiKeys[serverKey])?.id;
  serverKeyModel = probe.catalogue.models.find((m) => m.ownerOnly && m.userId === owner)?.id as number;
  await probe.close();
});

const seesKeyOnlyModel = async (stack: Stack, headers: Record<string, string> = {}) => {
  const result = await stack.client.execute(`{ model(id: ${serverKeyModel}) { name } }`, {}, headers);
  return (result.data as { model: unknown } | undefined)?.model != null;
};

describe('the server key and anonymous clients', () => {
  let shared: Stack;
  let separate: Stack;
  beforeAll(async () => {
    shared = await startStack({ env: { CIVITAI_API_KEY: serverKey, CACHE_MAX_BYTES: '0' } });
    separate = await startStack({ env: { CIVITAI_API_KEY: serverKey, ANONYMOUS_USES_SERVER_KEY: 'false', CACHE_MAX_BYTES: '0' } });
  });
  afterAll(async () => {
    await shared.close();
    await separate.close();
  });

  it('by default, an anonymous client goes upstream with the server key and sees what it sees', async () => {
    expect(await seesKeyOnlyModel(shared)).toBe(true);
    expect(shared.fixture.log.map((e) => e.auth)).toEqual(shared.fixture.log.map(() => 'valid'));
    expect(shared.fixture.log.length).toBeGreaterThan(0);
  });

  it('with ANONYMOUS_USES_SERVER_KEY=false, an anonymous client goes upstream without a key and sees only public content', async () => {
    separate.fixture.resetLog();
    expect(await seesKeyOnlyModel(separate)).toBe(false);
    expect(separate.fixture.log.length).toBeGreaterThan(0);
    expect(separate.fixture.log.every((e) => e.auth === 'none')).toBe(true);
  });

  it('with ANONYMOUS_USES_SERVER_KEY=false, a client with its own key still uses it', async () => {
    separate.fixture.resetLog();
    await separate.client.execute('{ tags(first: 1) { nodes { name } } }', {}, { authorization: `Bearer ${clientKey}` });
    expect(separate.fixture.log.map((e) => e.auth)).toEqual(['valid']);
  });

  it('the variable parses as a boolean and defaults to true', () => {
    expect(loadConfig({}).upstream.anonymousUsesServerKey).toBe(true);
    expect(loadConfig({ ANONYMOUS_USES_SERVER_KEY: 'false' }).upstream.anonymousUsesServerKey).toBe(false);
    expect(() => loadConfig({ ANONYMOUS_USES_SERVER_KEY: 'maybe' })).toThrow();
  });
});
