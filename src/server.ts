/**
 * createServer(deps) wires the schema, the per-request context, the plugins and error masking
 * into a graphql-yoga server on node:http. main.ts and the tests call the same factory.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { GraphiQLOptions } from 'graphql-yoga';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { useResponseCache, createInMemoryCache } from '@graphql-yoga/plugin-response-cache';
import { createYoga, maskError as defaultMaskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createResponseCache } from './cache/index.js';
import type { Config } from './config.js';
import { createContext, type Context } from './context.js';
import { toClientError } from './errors.js';
import { createLogger, currentRequestId, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { useHealth } from './plugins/useHealth.js';
import { useMetrics } from './plugins/useMetrics.js';
import { useRequestId } from './plugins/useRequestId.js';
import { useQueryLimits } from './plugins/useQueryLimits.js';
import { COST_HEADER, useUpstreamCost } from './plugins/useUpstreamCost.js';
import { schema } from './schema/index.js';
import { createUpstreamClient, credentialFor, type Credential, type UpstreamClient } from './upstream/client.js';
import { createUpstreamApi } from './upstream/index.js';
import { createScaleOut, type ScaleOut } from './redis/index.js';
import { createGatedFetch } from './redis/upstream-fetch.js';

export const DEFAULT_QUERY = /* GraphQL */ `# Civitai through GraphQL. Press the play button, then explore with the Docs panel.
query TopModels {
  models(first: 5, sort: MOST_DOWNLOADED) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        name
        type
        creator { username modelCount }
        tags { name }
        modelVersions { name baseModel files { name sizeKb primary } images { url nsfw } }
      }
    }
  }
}
`;

export interface ServerDeps {
  config: Config;
  logger?: Logger;
  /** For tests: a client with a custom cache or fetch. */
  client?: UpstreamClient;
}

export interface CivitaiGraphQLServer {
  readonly yoga: YogaServerInstance<Record<string, never>, Context>;
  readonly http: Server;
  readonly client: UpstreamClient;
  /** Redis connection, shared tier, upstream gate (README, "Running several replicas"). */
  readonly scale: ScaleOut;
  readonly metrics: Metrics;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish within the grace time, then closes. */
  close(): Promise<void>;
}

const BEARER = /^Bearer\s+([\x21-\x7e]{1,512})$/i;

function credentialOf(request: Request, config: Config): Credential {
  const header = request.headers.get('authorization');
  if (header !== null) {
    const token = config.upstream.forwardClientAuth ? BEARER.exec(header.trim())?.[1] : undefined;
    // A client that sends credentials never gets the server's key instead.
    return token ? credentialFor(token) : credentialFor(undefined);
  }
  return credentialFor(config.upstream.apiKey);
}

/**
 * Whole results of anonymous requests are cached too (The Guild's response cache), for as long
 * as list answers live: a warm repeat then skips execution entirely. Only anonymous ones, since
 * Civitai marks answers to a key private; never with a cost report, which describes one request.
 */
function wholeResultCache(config: Config): Plugin[] {
  if (config.cache.responseCacheEntries === 0 || config.cache.maxBytes === 0 || config.reportCost) return [];
  const anonymous = (request: Request) => request.headers.get('authorization') === null && config.upstream.apiKey === undefined;
  return [
    useResponseCache({
      session: () => null,
      enabled: (request) => anonymous(request) && request.headers.get(COST_HEADER) !== '1',
      ttl: config.cache.ttlMs.list,
      cache: createInMemoryCache({ max: config.cache.responseCacheEntries }),
    }),
  ];
}

/**
 * GraphiQL's page bundles its assets (9 MB of JS, ~30 MB of heap once loaded), so it is loaded on
 * the first page view rather than at start: an API-only server never pays for it.
 */
async function renderGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL: render } = await import('@graphql-yoga/render-graphiql');
  return render(options);
}

export function createServer(deps: ServerDeps): CivitaiGraphQLServer {
  const { config } = deps;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const scale = createScaleOut(config, { logger, metrics });
  let draining = false;
  const client =
    deps.client ??
    createUpstreamClient({
      baseUrl: config.upstream.baseUrl,
      timeoutMs: config.upstream.timeoutMs,
      retry: config.upstream.retry,
      cache: createResponseCache({ maxBytes: config.cache.maxBytes, staleMs: config.cache.staleMs }),
      ttlMs: config.cache.ttlMs,
      fetch: createGatedFetch({
        gate: scale.gate,
        metrics,
        fingerprintOf: (authorization) => credentialFor(authorization?.replace(/^Bearer\s+/i, '')).fingerprint,
        maxWaitMs: config.upstream.retry.maxTotalWaitMs,
      }),
    });
  const api = createUpstreamApi(client);

  const yoga = createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    renderGraphiQL,
    graphiql: { title: 'civitai-graphql', defaultQuery: DEFAULT_QUERY },
    context: ({ request }) => createContext(api, credentialOf(request, config), currentRequestId()),
    maskedErrors: {
      maskError(error, message, isDev) {
        if (error instanceof GraphQLError) {
          const mapped = toClientError(error.originalError);
          if (mapped) {
            return new GraphQLError(mapped.message, {
              ...(error.nodes ? { nodes: error.nodes } : {}),
              ...(error.path ? { path: error.path } : {}),
              extensions: mapped.extensions,
            });
          }
        }
        logger.error('unexpected error', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
        return defaultMaskError(error, message, isDev);
      },
    },
    plugins: [
      useRequestId(),
      useHealth(() => ({ draining, redis: scale.redis?.state() ?? 'off' })),
      ...useMetrics(metrics, { token: config.metricsToken }),
      useQueryLimits(config.limits),
      ...wholeResultCache(config),
      useUpstreamCost({ always: config.reportCost, logger }),
    ],
    logging: false,
  });

  const http = createHttpServer(yoga);
  let closing: Promise<void> | undefined;

  return {
    yoga,
    http,
    client,
    scale,
    metrics,
    listen(port = config.server.port, host = config.server.host) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          const address = http.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ url: `http://${shownHost}:${address.port}/graphql`, port: address.port });
        });
      });
    },
    close() {
      draining = true;
      const stopAccepting = () =>
        new Promise<void>((resolve) => {
          const force = setTimeout(() => http.closeAllConnections(), config.server.shutdownGraceMs);
          force.unref();
          http.close(() => {
            clearTimeout(force);
            resolve();
          });
          http.closeIdleConnections();
        });
      // /readyz answers 503 for SHUTDOWN_DELAY_MS first, so load balancers stop sending before we stop accepting.
      const delay = config.server.shutdownDelayMs;
      closing ??= (delay > 0 ? new Promise<void>((resolve) => setTimeout(resolve, delay)).then(stopAccepting) : stopAccepting()).then(() => scale.close());
      return closing;
    },
  };
}
