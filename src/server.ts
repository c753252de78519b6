/**
 * createServer(deps) is the list of what a server is made of: metrics, the scale-out parts, the
 * request reader, the upstream cache and API, the warm front, graphql-yoga with its plugins, and
 * node:http in front; each part is built by a named function below. main.ts and the tests call
 * the same factory.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
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
import { limitBufferedBytes } from './http/memory-budget.js';
import { guardConnections } from './http/connections.js';
import { createLogger, currentRequestId, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createCursorCodec } from './pagination/cursor.js';
import { useClosedErrors } from './plugins/useClosedErrors.js';
import { useDriftErrors } from './plugins/useDriftErrors.js';
import { useCsrfPrevention } from './plugins/useCsrfPrevention.js';
import { useHealth } from './plugins/useHealth.js';
import { useErrorMetrics, useMetrics } from './plugins/useMetrics.js';
import { useRequestId } from './plugins/useRequestId.js';
import { useClientBudget } from './plugins/useClientBudget.js';
import { useQueryLimits } from './plugins/useQueryLimits.js';
import { useUpstreamCost } from './plugins/useUpstreamCost.js';
import { createRequestReader, type RequestPolicy, type RequestReader } from './http/request.js';
import { consumerPlugins, consumerGraphiQL } from './plugins/consumers.js';
import { schema } from './schema/index.js';
import { createUpstreamApi, type UpstreamApi } from './upstream/index.js';
import { createDriftReporter } from './upstream/drift-report.js';
import { createScaleOut, type ScaleOut } from './redis/index.js';
import { createWarmFront, useWarmFrontLabels, type OperationLabels, type WarmFront } from './http/warm-front.js';
import type { Histogram } from 'prom-client';
import { boundedParserCaches, clientMemory, type ClientMemory } from './plugins/bounded-caches.js';
import { useRequestShape } from './plugins/useRequestShape.js';
import { createLive, type Live } from './live/registry.js';
import { fleetDistribution } from './live/fleet.js';
import { useLiveTransport } from './plugins/useLiveTransport.js';
import { REQUEST_ID_HEADER } from './http/headers.js';
import { cacheIgnoringHeaders, useResultETags } from './plugins/result-etags.js';

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
  /** Redis connection, shared tier, upstream gate (docs/operations.md, "Running several replicas"). */
  readonly scale: ScaleOut;
  readonly metrics: Metrics;
  /** Live subscriptions: one shared poll per question (README, "Live subscriptions"). */
  readonly live: Live;
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish within the grace time, then closes. */
  close(): Promise<void>;
}

/** How a request's facts are read (src/http/request.ts). */
function requestPolicy(config: Config): RequestPolicy {
  return {
    forwardClientAuth: config.upstream.forwardClientAuth,
    serverKey: config.upstream.anonymousUsesServerKey ? config.upstream.apiKey : undefined,
    reportCost: config.reportCost,
  };
}

/**
 * CORS without credentials: any origin by default (the API is public and keyed by a header, not
 * a cookie), or only the listed ones, to which other origins get no CORS headers at all.
 * A browser app may read `x-request-id` (to quote it in a bug report), and keeps a preflight
 * for a day (Firefox honours 86,400 s; Chromium caps it at 2 h): without Max-Age every GET with
 * a CSRF header paid a preflight round trip first.
 */
const CORS_SHARED = { credentials: false, exposedHeaders: [REQUEST_ID_HEADER], maxAge: 86_400 };

function corsFor(config: Config) {
  const allowed = config.server.corsOrigins;
  if (allowed === undefined) return { origin: '*', ...CORS_SHARED };
  return (request: Request) => {
    const origin = request.headers.get('origin');
    return origin !== null && allowed.includes(origin) ? { origin: [origin], ...CORS_SHARED } : false;
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
 * not in graphql_envelop_request_total (operations executed).
 */
function countWarmHits(metrics: Metrics) {
  // Looked up at the first hit: the prometheus plugin registers it when yoga is built, after the front.
  let durations: Histogram | undefined;
  return (labels: OperationLabels, seconds: number, method: string) => {
    durations ??= metrics.registry.getSingleMetric('graphql_yoga_http_duration') as Histogram | undefined;
    const operation = { operation_name: metrics.operationName(labels.operationName), operation_type: labels.operationType };
    durations?.observe({ ...operation, method, status_code: 200 }, seconds);
    metrics.cacheLookup('front', 'hit');
  };
}

interface WholeResultPlugins {
  /** Revalidation (If-None-Match → 304) then the response cache, after the limits. */
  cache: Plugin[];
  /** ETags per representation, after compression. */
  tag: Plugin[];
}

function wholeResultCache(config: Config, store: SharedStore | undefined, metrics: Metrics, reader: RequestReader, maxBytes: number): WholeResultPlugins {
  if (!wholeResultsCached(config)) return { cache: [], tag: [] };
  // Requests without a client credential share one partition: anonymous, or the server's key (by its fingerprint).
  const enabled = (request: Request) => {
    const facts = reader.ofRequest(request);
    return facts.partition !== undefined && !facts.reportsCost;
  };
  // Our LRU over the shared tier rather than @envelop/response-cache-redis: that one waits
  // on Redis without a deadline and keeps entity sets for invalidation we never do.
  const cache = createResultCache({ maxEntries: config.cache.responseCacheEntries, maxBytes, store, onLookup: (outcome) => metrics.cacheLookup('response', outcome) });
  const etags = useResultETags({ cache, compression: config.consumers.compression, enabled });
  return {
    cache: [
      etags.revalidate,
      useResponseCache({
        session: (request) => reader.ofRequest(request).partition ?? null,
        enabled,
        ttl: config.cache.ttlMs.list,
        cache: cacheIgnoringHeaders(cache),
      }),
    ],
    tag: [etags.tag],
  };
}

/** Without CURSOR_SECRET, cursors are signed with a key of this process: they die with it. */
let processCursorSecret: Buffer | undefined;

/** Parts of one server that the assembly below hands to each other. */
interface Parts {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  scale: ScaleOut;
  reader: RequestReader;
  /** Set by close(): /readyz answers 503 from then on. */
  lifecycle: { draining: boolean };
  /** CLIENT_MEMORY_BYTES split between the caches a client fills (src/plugins/bounded-caches.ts). */
  memory: ClientMemory;
}

/** The cross-request upstream cache: the in-process LRU, over the Redis tier when configured. */
function upstreamCache({ config, scale, metrics }: Parts): UpstreamCache {
  return createUpstreamCache(
    { maxBytes: config.cache.maxBytes, staleMs: config.cache.staleMs, ttlMs: config.cache.ttlMs },
    scale.tier ? [sharedCacheTier(scale.tier)] : [],
    { onLocalLookup: (outcome) => metrics.cacheLookup('local', outcome) },
  );
}

/** The typed Civitai API over the call pipeline, with the fleet's rate gate and the upstream metrics as its stages. */
function upstreamApi({ config, scale, metrics, logger }: Parts, cache: UpstreamCache): UpstreamApi {
  return createUpstreamApi({
    baseUrl: config.upstream.baseUrl,
    timeoutMs: config.upstream.timeoutMs,
    retry: config.upstream.retry,
    deadlines: config.upstream.deadlines,
    cache,
    gate: scale.gate,
    flight: scale.flight,
    observe: metrics.upstreamCall,
    onDrift: createDriftReporter({ count: metrics.upstreamDrift, warn: logger.warn }),
  });
}

/** Live subscriptions over the upstream API, their polls counted in /metrics; with Redis, one replica polls each question for the fleet. */
function liveSubscriptions({ config, metrics, logger, scale }: Parts, api: UpstreamApi): Live {
  const live = createLive({
    api,
    ...(scale.redis ? { distribution: fleetDistribution(scale.redis, { prefix: config.redis.prefix, pollMs: config.live.pollMs }) } : {}),
    limits: config.live,
    pollDeadlineMs: config.upstream.deadlines.requestMs,
    observe: { polled: metrics.livePoll, sent: metrics.liveEventsSent },
    logger,
  });
  metrics.watchLive(() => ({ subscriptions: live.subscriptions, topics: live.topics }));
  return live;
}

/** The warm front (src/http/warm-front.ts), when whole results are cached; `next` is yoga. */
function warmFront({ config, metrics, reader, memory }: Parts, next: RequestListener): WarmFront | undefined {
  if (!wholeResultsCached(config)) return undefined;
  return createWarmFront(next, {
    endpoint: '/graphql',
    ttlMs: config.cache.ttlMs.list,
    facts: reader.of,
    maxEntries: config.cache.responseCacheEntries * 4,
    maxBytes: memory.warmFront,
    onHit: countWarmHits(metrics),
  });
}

/**
 * The plugins, in an order that matters. Yoga runs each hook kind (onRequest, onRequestParse,
 * onParams, …, onResultProcess, onResponse) through these plugins in this order, after its own
 * (CORS, request parsers) and before its checks (method, mutation over GET, masking):
 *  1. request id: wraps the whole request, so every later log line and answer carries it;
 *  2. health (/healthz, /readyz) answers in onRequest, before any GraphQL concern;
 *  3. request facts (src/http/request.ts): the node edge's reading of who the request is handed
 *     to yoga's Request; a malformed Bearer credential is refused here, at every entry;
 *  4. metrics: /metrics answers in onRequest, before CSRF (scrapers send bare GETs);
 *     then GraphiQL's page and assets (src/plugins/graphiql-page.ts), also in onRequest;
 *  5. CSRF (onRequestParse): refuses a forgeable request before its body is parsed; `GET /`,
 *     HEAD (http-entry) and the response cache's If-None-Match 304 answer earlier, in
 *     onRequest, and neither runs anything (If-None-Match itself forces a preflight);
 *  6. request shape, then persisted operations (onParams): fill in the query before anything keys
 *     on it; @defer/@stream next, so the limits see the document it runs; the live transport
 *     refuses a subscription it could not stream before it subscribes (src/plugins/useLiveTransport.ts);
 *  7. limits (parse, validation rules, planned upstream calls): refuse before any upstream call;
 *  8. whole-result cache: after the limits, so a cached answer was admitted once; keyed on the
 *     query the persisted operation filled in; its revalidation (If-None-Match → 304) first;
 *  9. upstream cost: wraps execution, so its report is never stored by the cache above;
 * 10. closed errors (onResultProcess): every error of the result, whoever raised it above,
 *     gets its closed code and status; error metrics are counted after it, on those codes;
 * 11. HTTP caching headers then compression (onResponse): caching reads the final result's
 *     errors and Last-Modified; compression comes next, so it sees the final headers;
 * 12. ETags per representation (src/plugins/result-etags.ts), after compression.
 */
function serverPlugins(parts: Parts, front: WarmFront | undefined): Array<Plugin | Plugin<Context>> {
  const { config, logger, metrics, scale, reader, lifecycle } = parts;
  const wholeResults = wholeResultCache(config, scale.tier, metrics, reader, parts.memory.results);
  return [
    useRequestId(),
    useHealth(() => ({ draining: lifecycle.draining, redis: scale.redis?.state() ?? 'off' })),
    reader.plugin,
    ...useMetrics(metrics, { token: config.metricsToken, facts: reader.ofRequest }),
    // GraphiQL's page and assets, where yoga's own GraphiQL answered (onRequest, before any check).
    consumerGraphiQL({ title: 'civitai-graphql', defaultQuery: DEFAULT_QUERY }),
    useCsrfPrevention(),
    // Malformed GET parameters, over-deep variables, mutations: coded refusals, not 500s.
    useRequestShape(),
    useLiveTransport(),
    ...consumerPlugins(config, 'before', reader.ofRequest),
    useQueryLimits(config.limits, parts.memory),
    ...wholeResults.cache,
    useClientBudget(scale.clientBudget),
    ...(front ? [useWarmFrontLabels(front)] : []),
    useUpstreamCost({ logger }),
    // Items of a page left out for want of an id: one error at the connection's path.
    useDriftErrors(),
    useClosedErrors(logger),
    useErrorMetrics(metrics),
    ...consumerPlugins(config, 'after', reader.ofRequest),
    ...wholeResults.tag,
  ];
}

function createGraphQL(parts: Parts, api: UpstreamApi, live: Live, front: WarmFront | undefined): YogaServerInstance<Record<string, never>, Context> {
  const { config, logger, reader } = parts;
  const cursors = createCursorCodec(config.cursorSecret ?? (processCursorSecret ??= randomBytes(32)));
  const upstreamDeadlineMs = config.upstream.deadlines.requestMs;
  return createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Ours instead (consumerGraphiQL): a small page, its assets apart, compressed once, cached.
    graphiql: false,
    context: ({ request }) => createContext(api, reader.ofRequest(request), currentRequestId(), { cursors, upstreamDeadlineMs, live }),
    maskedErrors: { maskError: createErrorMask(logger) },
    cors: corsFor(config),
    // Our own guard (limitRequestSize) counts the bytes first; yoga's agrees with it.
    maxRequestBodySize: config.limits.maxRequestBytes,
    multipart: false,
    // Apollo's BatchHttpLink: a JSON array of at most MAX_BATCH operations (more: 413 BAD_REQUEST),
    // each planned and limited alone, their planned calls together within MAX_UPSTREAM_CALLS (useQueryLimits).
    batching: config.limits.maxBatch > 0 ? { limit: config.limits.maxBatch } : false,
    // Parsed documents by query text, within their share of CLIENT_MEMORY_BYTES (yoga's default keeps 1,024 of any size).
    parserAndValidationCache: boundedParserCaches(parts.memory),
    plugins: serverPlugins(parts, front),
    logging: false,
  });
}

/**
 * node:http in front of everything: the body limit, then the warm front or yoga. A slow or
 * stalled client (headers or body trickled, or never finished) is answered 408 and closed after
 * these times, checked every second, so it cannot hold a socket and its buffered bytes for
 * Node's default five minutes; connections beyond MAX_CONNECTIONS are refused.
 */
function createHttpListener(config: Config, handler: RequestListener): Server {
  const http = createHttpServer(
    {
      headersTimeout: config.server.headersTimeoutMs,
      requestTimeout: config.server.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.server.headersTimeoutMs),
    },
    limitBufferedBytes(limitRequestSize(handler, { maxBytes: config.limits.maxRequestBytes }), {
      maxBytes: config.limits.requestMemoryBytes,
      maxRequestBytes: config.limits.maxRequestBytes,
    }).listener,
  );
  guardConnections(http, { maxConnections: config.server.maxConnections, maxPerPeer: config.server.maxConnectionsPerPeer });
  http.on('clientError', answerClientError);
  return http;
}

function listenOn(http: Server, config: Config): CivitaiGraphQLServer['listen'] {
  return (port = config.server.port, host = config.server.host) =>
    new Promise((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        const address = http.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve({ url: `http://${shownHost}:${address.port}/graphql`, port: address.port });
      });
    });
}

/**
 * close(): /readyz answers 503 for SHUTDOWN_DELAY_MS first, so load balancers stop sending before
 * we stop accepting; then every subscription stream ends with a `complete` and its polls stop,
 * and in-flight requests get SHUTDOWN_GRACE_MS.
 */
function closer(http: Server, live: Live, { config, scale, lifecycle }: Parts): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const stopAccepting = () =>
    new Promise<void>((resolve) => {
      const force = setTimeout(() => http.closeAllConnections(), config.server.shutdownGraceMs);
      force.unref();
      // Streams that just completed leave keep-alive sockets idle a moment later: close those as they go idle.
      const idle = setInterval(() => http.closeIdleConnections(), 100);
      idle.unref();
      http.close(() => {
        clearTimeout(force);
        clearInterval(idle);
        resolve();
      });
      http.closeIdleConnections();
    });
  return () => {
    lifecycle.draining = true;
    const delay = config.server.shutdownDelayMs;
    const stop = () => live.close().then(stopAccepting);
    closing ??= (delay > 0 ? new Promise<void>((resolve) => setTimeout(resolve, delay)).then(stop) : stop()).then(() => scale.close());
    return closing;
  };
}

/** What a server is made of, in the order a request meets it (docs/architecture.md, "The request path"). */
export function createServer(deps: ServerDeps): CivitaiGraphQLServer {
  const { config } = deps;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const scale = createScaleOut(config, { logger, metrics });
  const reader = createRequestReader(requestPolicy(config));
  const parts: Parts = { config, logger, metrics, scale, reader, lifecycle: { draining: false }, memory: clientMemory(config.cache.clientMemoryBytes) };
  const cache = upstreamCache(parts);
  const api = upstreamApi(parts, cache);
  const live = liveSubscriptions(parts, api);
  const front = warmFront(parts, (req, res) => void yoga(req, res));
  const yoga = createGraphQL(parts, api, live, front);
  const http = createHttpListener(config, front?.listener ?? yoga);
  return { yoga, http, cache, scale, metrics, live, listen: listenOn(http, config), close: closer(http, live, parts) };
}
