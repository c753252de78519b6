/**
 * A real fixture upstream and a real server, both on 127.0.0.1 with ephemeral ports, for tests
 * that go through HTTP.
 *
 * `test` (vitest's `test.extend`) gives every test its own `stack`: a fresh server (empty caches,
 * fresh loaders) over a fixture upstream whose request log, injected faults and latency are reset
 * for that test. The fixture upstream itself is stateless apart from those, and building its
 * catalogue is the slow part, so one per mode is kept per file; `upstream` gives it alone.
 * Options per file or describe block (they replace the options as a whole):
 * `test.override({ stackOptions: { env: {…}, fixture: { mode: '2022' } } })`.
 * Nothing is shared across files, and no test depends on what an earlier one did.
 */
import { test as base } from 'vitest';
import { createFixtureUpstream, type FixtureOptions, type FixtureUpstream } from '../../fixture/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createServer, type CivitaiGraphQLServer } from '../../src/server.js';
import { createClient, type GraphQLClient } from './execute.js';

export interface Stack {
  fixture: FixtureUpstream;
  server: CivitaiGraphQLServer;
  url: string;
  client: GraphQLClient;
  config: Config;
  close(): Promise<void>;
}

export interface StackOptions {
  /** The fixture upstream: mode, seed and keys pick one per file; latency is set per test. */
  fixture?: Omit<FixtureOptions, 'port' | 'host'>;
  /** Extra environment for the server's config (e.g. { CACHE_MAX_BYTES: '0' }). */
  env?: Record<string, string>;
}

async function startServer(fixture: FixtureUpstream, env: Record<string, string> = {}): Promise<Stack> {
  const config = loadConfig({
    CIVITAI_API_URL: fixture.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    UPSTREAM_TIMEOUT_MS: '5000',
    UPSTREAM_RETRY_BUDGET_MS: '1000',
    ...env,
  });
  const server = createServer({ config, logger: createLogger('silent') });
  const { url } = await server.listen(0, '127.0.0.1');
  return { fixture, server, url, config, client: createClient(url), close: () => server.close() };
}

/** Fixture upstreams of one file, one per distinct set of catalogue options. */
interface UpstreamPool {
  get(options: StackOptions['fixture']): Promise<FixtureUpstream>;
}

export const test = base.extend<{ upstreams: UpstreamPool; stackOptions: StackOptions; upstream: FixtureUpstream; stack: Stack }>({
  upstreams: [
    async ({}, use) => {
      const started = new Map<string, Promise<FixtureUpstream>>();
      await use({
        get(options = {}) {
          const key = JSON.stringify({ mode: options.mode, seed: options.seed, apiKeys: options.apiKeys });
          let fixture = started.get(key);
          if (!fixture) started.set(key, (fixture = createFixtureUpstream({ ...options, latencyMs: 0 })));
          return fixture;
        },
      });
      await Promise.all([...started.values()].map(async (f) => (await f).close()));
    },
    { scope: 'file' },
  ],
  stackOptions: [{}, { scope: 'test' }],
  /** The fixture upstream alone, its log, faults and latency reset for this test. */
  upstream: async ({ upstreams, stackOptions }, use) => {
    const fixture = await upstreams.get(stackOptions.fixture);
    fixture.clearFaults();
    fixture.setDrift(stackOptions.fixture?.drift ?? null);
    fixture.setLatency(stackOptions.fixture?.latencyMs ?? 0);
    fixture.resetLog();
    await use(fixture);
  },
  /** A fresh server over `upstream`. */
  stack: async ({ upstream, stackOptions }, use) => {
    const stack = await startServer(upstream, stackOptions.env);
    try {
      await use(stack);
    } finally {
      await stack.close();
    }
  },
});

/**
 * A stack of its own (fixture upstream and server), for a test that compares several
 * configurations side by side; the caller closes it. Prefer the `stack` fixture above.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const fixture = await createFixtureUpstream({ ...options.fixture });
  const stack = await startServer(fixture, options.env);
  return {
    ...stack,
    async close() {
      await stack.close();
      await fixture.close();
    },
  };
}
