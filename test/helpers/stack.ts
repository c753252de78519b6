/**
 * A real fixture upstream and a real server, both on 127.0.0.1 with ephemeral ports, for tests
 * that go through HTTP. Each test file starts its own stack (state is never shared across files).
 */
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
  fixture?: FixtureOptions;
  /** Extra environment for the server's config (e.g. { CACHE_MAX_BYTES: '0' }). */
  env?: Record<string, string>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const fixture = await createFixtureUpstream({ ...options.fixture });
  const config = loadConfig({
    CIVITAI_API_URL: fixture.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    UPSTREAM_TIMEOUT_MS: '5000',
    UPSTREAM_RETRY_BUDGET_MS: '1000',
    ...options.env,
  });
  const server = createServer({ config, logger: createLogger('silent') });
  const { url } = await server.listen(0, '127.0.0.1');
  return {
    fixture,
    server,
    url,
    config,
    client: createClient(url),
    async close() {
      await server.close();
      await fixture.close();
    },
  };
}
