/**
 * Replicas of the server in one test process, sharing one fixture upstream and one Redis, each on
 * 127.0.0.1 with an ephemeral port; the caller closes them.
 */
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createServer, type CivitaiGraphQLServer } from '../../src/server.js';
import { createClient, type GraphQLClient } from './execute.js';

export interface Replica {
  server: CivitaiGraphQLServer;
  url: string;
  client: GraphQLClient;
}

/** `n` replicas over `upstreamUrl` and `redisUrl`, ready (connected to Redis) when this resolves. */
export async function startReplicas(n: number, upstreamUrl: string, redisUrl: string, env: Record<string, string> = {}): Promise<Replica[]> {
  const config = loadConfig({
    CIVITAI_API_URL: upstreamUrl,
    LOG_LEVEL: 'silent',
    UPSTREAM_TIMEOUT_MS: '5000',
    REDIS_URL: redisUrl,
    // Behaviour, not speed: a busy machine must not turn a Redis answer into a miss (a killed Redis
    // still fails at once, whatever the deadline).
    REDIS_TIMEOUT_MS: '1000',
    REDIS_PREFIX: `fleet-${Math.random().toString(36).slice(2, 8)}:`,
    ...env,
  });
  const fleet = await Promise.all(
    Array.from({ length: n }, async () => {
      const server = createServer({ config, logger: createLogger('silent') });
      const { url } = await server.listen(0, '127.0.0.1');
      return { server, url, client: createClient(url) };
    }),
  );
  for (const replica of fleet) {
    if (!(await replica.server.scale.redis!.ready(5_000))) throw new Error('a replica did not connect to the test Redis');
  }
  return fleet;
}
