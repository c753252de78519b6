/**
 * createServer(deps) wires the schema, the per-request context, the plugins and error masking
 * into a graphql-yoga server on node:http. main.ts and the tests call the same factory.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { GraphiQLOptions } from 'graphql-yoga';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createUpstreamCache, type UpstreamCache } from './cache/index.js';
import { createResultCache, sharedCacheTier, type SharedStore } from './cache/shared.js';
import type { Config } from './config.js';
import { createContext, type Context } from './context.js';
import { MASKED_MESSAGE, toClientError } from './errors.js';
import { answerClientError, limitRequestSize } from './http/body-limit.js';
import { createLogger, currentRequestId, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createCursorCodec } from './pagination/cursor.js';
import { useClosedErrors } from './plugins/useClosedErrors.js';
import { useDriftErrors } from './plugins/useDriftErrors.js';
import { useCsrfPrevention } from './plugins/useCsrfPrevention.js';
import { useHealth } from './plugins/useHealth.js';
import { useErrorMetrics, useMetrics } from './plugins/useMetrics.js';
import { useRequestId } from './plugins/useRequestId.js';
import { useQueryLimits } from './plugins/useQueryLimits.js';
import { COST_HEADER, useUpstreamCost } from './plugins/useUpstreamCost.js';
import { consumerPlugins, consumerGraphiQL } from './plugins/consumers.js';
import { schema } from './schema/index.js';
import { createUpstreamApi } from './upstream/index.js';
import { createDriftReporter } from './upstream/drift-report.js';
import { credentialFor, type Credential } from './upstream/transport.js';
import { createScaleOut, type ScaleOut } from './redis/index.js';
import { createWarmFront, useWarmFrontLabels, type OperationLabels, type WarmFront } from './http/warm-front.js';
import type { Histogram } from 'prom-client';
import { createGatedFetch } from './redis/upstream-fetch.js';
import { boundedParserCaches } from './plugins/bounded-caches.js';
import { useRequestShape } from './plugins/useRequestShape.js';

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
}

export interface CivitaiGraphQLServer {
  readonly yoga: YogaServerInstance<Record<string, never>, Context>;
  readonly http: Server;
  /** The cross-request upstream cache, for observing its size. */
  readonly cache: UpstreamCache;
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
  return credentialFor(config.upstream.anonymousUsesServerKey ? config.upstream.apiKey : undefined);
}

/**
 * CORS without credentials: any origin by default (the API is public and keyed by a header, not
 * a cookie), or only the listed ones, to which other origins get no CORS headers at all.
 */
function corsFor(config: Config) {
  const allowed = config.server.corsOrigins;
  if (allowed === undefined) return { origin: '*', credentials: false };
  return (request: Request) => {
    const origin = request.headers.get('origin');
    return origin !== null && allowed.includes(origin) ? { origin: [origin], credentials: false } : false;
  };
}

/**
 * Yoga hands every error of a request to this mask. Our coded errors pass; upstream and
 * pagination failures become coded ones; a client's own mistake (syntax, validation, bad JSON,
 * bad variables), already a GraphQLError of graphql-js or yoga, passes as it is; anything else
 * is a fault of ours: logged as an error, masked for the client.
 */
export function createErrorMask(logger: Logger) {
  return (error: unknown): Error => {
    if (error instanceof GraphQLError) {
      const mapped = toClientError(error.originalError ?? error);
      if (mapped) {
        if (mapped === error) return error;
        return new GraphQLError(mapped.message, {
          ...(error.nodes ? { nodes: error.nodes } : {}),
          ...(error.path ? { path: error.path } : {}),
          extensions: mapped.extensions,
        });
      }
      // A client's mistake: useClosedErrors codes it and logs it at debug.
      if (error.originalError === undefined || error.originalError === null || error.originalError instanceof GraphQLError) return error;
    }
    const located = error instanceof GraphQLError ? error : undefined;
    const cause = located?.originalError ?? error;
    logger.error('unexpected error', { error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause) });
    return new GraphQLError(MASKED_MESSAGE, {
      ...(located?.nodes ? { nodes: located.nodes } : {}),
      ...(located?.path ? { path: located.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  };
}

/**
 * Whole results of requests without Authorization are cached too (The Guild's response cache),
 * for as long as list answers live: a warm repeat then skips execution entirely. Those requests
 * go upstream anonymously or all with the server's key, so they share one partition (keyed by
 * the key's fingerprint); a client's own key never shares (Civitai marks answers to a key
 * private); never with a cost report, which describes one request. The warm front
 * (src/http/warm-front.ts) serves repeats of what this cache stored as bytes.
 */
function wholeResultsCached(config: Config): boolean {
  return config.cache.responseCacheEntries > 0 && config.cache.maxBytes > 0 && !config.reportCost;
}

/**
 * Warm-front hits count as HTTP requests (graphql_yoga_http_duration, same labels as yoga's) and
 * as warm-front hits (tier "front"); like the response cache's own hits, they execute nothing, so they are
 * not in graphql_envelop_request (operations executed).
 */
function countWarmHits(metrics: Metrics) {
  // Looked up at the first hit: the prometheus plugin registers it when yoga is built, after the front.
  let durations: Histogram | undefined;
  return (labels: OperationLabels, seconds: number, method: string) => {
    durations ??= metrics.registry.getSingleMetric('graphql_yoga_http_duration') as Histogram | undefined;
    const operation = { operationName: metrics.operationName(labels.operationName), operationType: labels.operationType };
    durations?.observe({ ...operation, method, statusCode: 200 }, seconds);
    metrics.cacheLookup('front', 'hit');
  };
}

function wholeResultCache(config: Config, store: SharedStore | undefined, metrics: Metrics): Plugin[] {
  if (!wholeResultsCached(config)) return [];
  // Requests without Authorization share one partition: anonymous, or the server's key (by its fingerprint).
  const partition = (request: Request) => (request.headers.get('authorization') === null ? credentialOf(request, config).fingerprint : null);
  return [
    useResponseCache({
      session: partition,
      enabled: (request) => partition(request) !== null && request.headers.get(COST_HEADER) !== '1',
      ttl: config.cache.ttlMs.list,
      // Our LRU over the shared tier rather than @envelop/response-cache-redis: that one waits
      // on Redis without a deadline and keeps entity sets for invalidation we never do.
      cache: createResultCache({ maxEntries: config.cache.responseCacheEntries, store, onLookup: (outcome) => metrics.cacheLookup('response', outcome) }),
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

/** Without CURSOR_SECRET, cursors are signed with a key of this process: they die with it. */
let processCursorSecret: Buffer | undefined;

export function createServer(deps: ServerDeps): CivitaiGraphQLServer {
  const { config } = deps;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const cursors = createCursorCodec(config.cursorSecret ?? (processCursorSecret ??= randomBytes(32)));
  const scale = createScaleOut(config, { logger, metrics });
  let draining = false;
  const cache = createUpstreamCache(
    { maxBytes: config.cache.maxBytes, staleMs: config.cache.staleMs, ttlMs: config.cache.ttlMs },
    scale.tier ? [sharedCacheTier(scale.tier)] : [],
    { onLocalLookup: (outcome) => metrics.cacheLookup('local', outcome) },
  );
  const api = createUpstreamApi({
    baseUrl: config.upstream.baseUrl,
    timeoutMs: config.upstream.timeoutMs,
    retry: config.upstream.retry,
    cache,
    onDrift: createDriftReporter({ count: metrics.upstreamDrift, warn: logger.warn }),
    fetch: createGatedFetch({
      gate: scale.gate,
      metrics,
      fingerprintOf: (authorization) => credentialFor(authorization?.replace(/^Bearer\s+/i, '')).fingerprint,
      maxWaitMs: config.upstream.retry.maxTotalWaitMs,
    }),
  });

  const front: WarmFront | undefined = wholeResultsCached(config)
    ? createWarmFront((req, res) => void yoga(req, res), {
        endpoint: '/graphql',
        ttlMs: config.cache.ttlMs.list,
        partition: credentialFor(config.upstream.anonymousUsesServerKey ? config.upstream.apiKey : undefined).fingerprint,
        maxEntries: config.cache.responseCacheEntries * 4,
        maxBytes: Math.min(8 * 2 ** 20, config.cache.maxBytes),
        onHit: countWarmHits(metrics),
      })
    : undefined;
  const yoga = createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    renderGraphiQL,
    graphiql: { title: 'civitai-graphql', defaultQuery: DEFAULT_QUERY, ...consumerGraphiQL(DEFAULT_QUERY) },
    context: ({ request }) => createContext(api, credentialOf(request, config), currentRequestId(), cursors),
    maskedErrors: { maskError: createErrorMask(logger) },
    cors: corsFor(config),
    // Our own guard (limitRequestSize) counts the bytes first; yoga's agrees with it.
    maxRequestBodySize: config.limits.maxRequestBytes,
    multipart: false,
    // Parsed documents by query text, bounded in bytes (yoga's default keeps 1,024 of any size).
    parserAndValidationCache: boundedParserCaches(),
    // The order matters. Yoga runs each hook kind (onRequest, onRequestParse, onParams, …,
    // onResultProcess, onResponse) through these plugins in this order, after its own (CORS,
    // GraphiQL, request parsers) and before its checks (method, mutation over GET, masking):
    //  1. request id: wraps the whole request, so every later log line and answer carries it;
    //  2. health and metrics: /healthz, /readyz, /metrics answer in onRequest, before any
    //     GraphQL concern (CSRF included: probes and scrapers send bare GETs);
    //  3. CSRF (onRequestParse): refuses a forgeable request before its body is parsed; `GET /`,
    //     HEAD (http-entry) and the response cache's If-None-Match 304 answer earlier, in
    //     onRequest, and neither runs anything (If-None-Match itself forces a preflight);
    //  4. persisted operations (onParams): fill in the query before anything keys on it;
    //     @defer/@stream next, so the limits see the document it runs;
    //  5. limits (parse, validation rules, planned upstream calls): refuse before any upstream call;
    //  6. whole-result cache: after the limits, so a cached answer was admitted once; keyed on the
    //     query the persisted operation filled in;
    //  7. upstream cost: wraps execution, so its report is never stored by the cache above;
    //  8. closed errors (onResultProcess): every error of the result, whoever raised it above,
    //     gets its closed code and status; error metrics are counted after it, on those codes;
    //  9. HTTP caching headers then compression (onResponse): caching reads the final result's
    //     errors and Last-Modified; compression comes last, so it sees the final headers.
    plugins: [
      useRequestId(),
      useHealth(() => ({ draining, redis: scale.redis?.state() ?? 'off' })),
      ...useMetrics(metrics, { token: config.metricsToken }),
      useCsrfPrevention(),
      // Malformed GET parameters, over-deep variables, mutations: coded refusals, not 500s.
      useRequestShape(),
      ...consumerPlugins(config, 'before'),
      useQueryLimits(config.limits),
      ...wholeResultCache(config, scale.tier, metrics),
      ...(front ? [useWarmFrontLabels(front)] : []),
      useUpstreamCost({ always: config.reportCost, logger }),
      useDriftErrors(),
      useClosedErrors(logger),
      useErrorMetrics(metrics),
      ...consumerPlugins(config, 'after'),
    ],
    logging: false,
  });

  // A slow or stalled client (headers or body trickled, or never finished) is answered 408 and
  // closed after these times, checked every second, so it cannot hold a socket and its buffered
  // bytes for Node's default five minutes; connections beyond MAX_CONNECTIONS are refused.
  const http = createHttpServer(
    {
      headersTimeout: config.server.headersTimeoutMs,
      requestTimeout: config.server.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.server.headersTimeoutMs),
    },
    limitRequestSize(front?.listener ?? yoga, { maxBytes: config.limits.maxRequestBytes }),
  );
  http.maxConnections = config.server.maxConnections;
  http.on('clientError', answerClientError);
  let closing: Promise<void> | undefined;

  return {
    yoga,
    http,
    cache,
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
