/**
 * Configuration from the environment, parsed once by main.ts. Every problem is reported at once;
 * the Configuration table of docs/operations.md is the human copy of this schema (test/docs.test.ts).
 */
import { z } from 'zod';

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  CIVITAI_API_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
    .default('https://civitai.com/api/v1'),
  CIVITAI_API_KEY: z.string().min(1).optional(),
  FORWARD_CLIENT_AUTH: bool(true),
  ANONYMOUS_USES_SERVER_KEY: bool(true),
  CORS_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter((o) => o !== ''))
    .pipe(z.array(z.string().regex(/^(\*|https?:\/\/[^/\s,]+)$/, 'each origin must be * or scheme://host[:port]')))
    .optional(),
  PORT: int(4000, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  UPSTREAM_TIMEOUT_MS: int(10_000, 100, 120_000),
  UPSTREAM_MAX_ATTEMPTS: int(3, 1, 10),
  UPSTREAM_RETRY_BUDGET_MS: int(3_000, 0, 60_000),
  UPSTREAM_CALL_DEADLINE_MS: int(15_000, 100, 600_000),
  UPSTREAM_REQUEST_DEADLINE_MS: int(20_000, 100, 600_000),
  CACHE_MAX_BYTES: int(32 * 1024 * 1024, 0, 4 * 1024 * 1024 * 1024),
  CACHE_TTL_LIST_MS: int(60_000, 0, 86_400_000),
  CACHE_TTL_ENTITY_MS: int(300_000, 0, 86_400_000),
  CACHE_TTL_NOT_FOUND_MS: int(30_000, 0, 86_400_000),
  CACHE_STALE_MS: int(30_000, 0, 86_400_000),
  RESPONSE_CACHE_ENTRIES: int(20, 0, 100_000),
  CLIENT_MEMORY_BYTES: int(32 * 1024 * 1024, 1024 * 1024, 4 * 1024 * 1024 * 1024),
  REPORT_COST: bool(false),
  SHUTDOWN_GRACE_MS: int(10_000, 0, 120_000),
  HEADERS_TIMEOUT_MS: int(10_000, 100, 120_000),
  REQUEST_TIMEOUT_MS: int(30_000, 100, 600_000),
  MAX_CONNECTIONS: int(1_000, 1, 1_000_000),
  MAX_CONNECTIONS_PER_PEER: int(100, 0, 1_000_000),
  MAX_REQUEST_BYTES: int(100_000, 1_000, 10_000_000),
  REQUEST_MEMORY_BYTES: int(16 * 1024 * 1024, 1_000, 4 * 1024 * 1024 * 1024),
  MAX_TOKENS: int(2_000, 50, 100_000),
  MAX_DEPTH: int(12, 2, 100),
  MAX_ALIASES: int(30, 0, 1_000),
  MAX_UPSTREAM_CALLS: int(1_500, 1, 1_000_000),
  MAX_BATCH: int(10, 0, 100),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  PERSISTED_OPERATIONS: z.enum(['off', 'apq', 'trusted']).default('apq'),
  PERSISTED_DOCUMENTS_FILE: z.string().min(1).optional(),
  COMPRESSION: bool(true),
  // Scale-out (docs/operations.md, "Running several replicas").
  REDIS_URL: z
    .string()
    .refine((u) => /^rediss?:\/\/[^\s]+$/.test(u), 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'letters, digits and :_.- only, at most 64').default('cgql:'),
  REDIS_TIMEOUT_MS: int(50, 1, 10_000),
  UPSTREAM_RATE_LIMIT: int(0, 0, 100_000),
  FLEET_LEASE_MS: int(1_000, 0, 60_000),
  CLIENT_CALLS_PER_MINUTE: int(0, 0, 10_000_000),
  // Sent as a Bearer token, so of the Bearer alphabet (RFC 6750 b64token; src/http/request.ts).
  METRICS_TOKEN: z
    .string()
    .min(16, 'at least 16 characters')
    .max(512, 'at most 512 characters')
    .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'letters, digits and - . _ ~ + / (then =) only')
    .optional(),
  SHUTDOWN_DELAY_MS: int(0, 0, 120_000),
  // Live subscriptions (README, "Live subscriptions").
  SUBSCRIPTION_POLL_MS: int(60_000, 100, 86_400_000),
  MAX_SUBSCRIPTIONS: int(10_000, 0, 1_000_000),
  MAX_SUBSCRIPTIONS_PER_CLIENT: int(20, 1, 1_000_000),
  SUBSCRIPTION_MAX_POLLS: int(200, 1, 100_000),
  SUBSCRIPTION_QUEUE_EVENTS: int(100, 1, 10_000),
  CURSOR_SECRET: z.string().min(32, 'at least 32 characters').optional(),
});

/** Every environment variable the server reads (Dockerfile and compose.yaml are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze([...Object.keys(envSchema.shape), 'FIXTURE_PORT']);

export type LogLevel = z.output<typeof envSchema>['LOG_LEVEL'];

export interface Config {
  readonly server: {
    readonly port: number;
    readonly host: string;
    readonly shutdownGraceMs: number;
    /** How long a client may take to send its headers, and its whole request, before 408 and close. */
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    /** Open connections at most; at the cap a new one takes the place of the longest idle, or is refused. */
    readonly maxConnections: number;
    /** Open connections from one client address at most; 0 = no cap (behind a load balancer). */
    readonly maxConnectionsPerPeer: number;
    /** Origins allowed by CORS; undefined = any origin (never with credentials). */
    readonly corsOrigins: readonly string[] | undefined;
    /** On close(), how long /readyz says 503 while requests are still accepted. */
    readonly shutdownDelayMs: number;
  };
  readonly upstream: {
    readonly baseUrl: string;
    readonly apiKey: string | undefined;
    readonly forwardClientAuth: boolean;
    /** Whether a request without `Authorization` goes upstream with the server's key. */
    readonly anonymousUsesServerKey: boolean;
    readonly timeoutMs: number;
    readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxTotalWaitMs: number };
    /** One call across its attempts, gate waits and back-offs; all calls of one request (a call never outlives either). */
    readonly deadlines: { readonly callMs: number; readonly requestMs: number };
  };
  readonly cache: {
    readonly maxBytes: number;
    readonly staleMs: number;
    readonly responseCacheEntries: number;
    readonly ttlMs: { readonly list: number; readonly entity: number; readonly notFound: number };
    /** Everything clients fill across requests (documents, plans, APQ, whole results, warm front), split in plugins/bounded-caches.ts. */
    readonly clientMemoryBytes: number;
  };
  readonly limits: {
    readonly maxRequestBytes: number;
    /** Request bodies held at once, all requests together (src/http/memory-budget.ts). */
    readonly requestMemoryBytes: number;
    readonly maxTokens: number;
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxUpstreamCalls: number;
    /** Operations in one batched request (a JSON array); 0: batching off. Their planned calls share maxUpstreamCalls. */
    readonly maxBatch: number;
  };
  readonly reportCost: boolean;
  readonly logLevel: LogLevel;
  readonly consumers: {
    /** off: full query text only; apq: Apollo's automatic persisted queries; trusted: only the manifest's documents. */
    readonly persistedOperations: 'off' | 'apq' | 'trusted';
    /** The trusted documents manifest (codegen's persisted-documents.json); undefined: the package's own. */
    readonly persistedDocumentsFile: string | undefined;
    /** gzip/brotli answers by Accept-Encoding. */
    readonly compression: boolean;
  };
  readonly redis: { readonly url: string | undefined; readonly prefix: string; readonly timeoutMs: number };
  /** Fleet single-flight: life of a replica's lease on a cold call without renewal; 0 = off (src/redis/flight.ts). */
  readonly fleetLeaseMs: number;
  /** Planned upstream calls per client (key, else address) per minute, fleet-wide; 0 = no budget (src/redis/client-budget.ts). */
  readonly clientCallsPerMinute: number;
  /** Upstream requests per second per credential across the fleet; 0 = no limit. */
  readonly upstreamRateLimit: number;
  readonly metricsToken: string | undefined;
  /** Signing key of pagination cursors; replicas must share it. */
  readonly cursorSecret: string | undefined;
  readonly live: {
    /** How often each distinct question is polled upstream. */
    readonly pollMs: number;
    /** Open subscriptions in this process at most (0: subscriptions are refused). */
    readonly maxSubscriptions: number;
    /** Open subscriptions of one client (RequestFacts.client) at most. */
    readonly maxPerClient: number;
    /** Upstream calls one interval's polls may need at most (distinct filters, plus one per 100 watched model ids). */
    readonly maxPolls: number;
    /** Events waiting for one slow reader at most; past it the subscription ends with an error. */
    readonly queueEvents: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty variables count as unset, as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return Object.freeze({
    server: {
      port: e.PORT,
      host: e.HOST,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      headersTimeoutMs: Math.min(e.HEADERS_TIMEOUT_MS, e.REQUEST_TIMEOUT_MS),
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS,
      maxConnectionsPerPeer: e.MAX_CONNECTIONS_PER_PEER,
      shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
      corsOrigins: e.CORS_ORIGINS === undefined || e.CORS_ORIGINS.includes('*') ? undefined : e.CORS_ORIGINS,
    },
    upstream: {
      baseUrl: e.CIVITAI_API_URL.replace(/\/+$/, ''),
      apiKey: e.CIVITAI_API_KEY,
      forwardClientAuth: e.FORWARD_CLIENT_AUTH,
      anonymousUsesServerKey: e.ANONYMOUS_USES_SERVER_KEY,
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      retry: { maxAttempts: e.UPSTREAM_MAX_ATTEMPTS, baseDelayMs: 200, maxTotalWaitMs: e.UPSTREAM_RETRY_BUDGET_MS },
      deadlines: { callMs: e.UPSTREAM_CALL_DEADLINE_MS, requestMs: e.UPSTREAM_REQUEST_DEADLINE_MS },
    },
    cache: {
      maxBytes: e.CACHE_MAX_BYTES,
      staleMs: e.CACHE_STALE_MS,
      responseCacheEntries: e.RESPONSE_CACHE_ENTRIES,
      ttlMs: { list: e.CACHE_TTL_LIST_MS, entity: e.CACHE_TTL_ENTITY_MS, notFound: e.CACHE_TTL_NOT_FOUND_MS },
      clientMemoryBytes: e.CLIENT_MEMORY_BYTES,
    },
    limits: {
      maxRequestBytes: e.MAX_REQUEST_BYTES,
      requestMemoryBytes: e.REQUEST_MEMORY_BYTES,
      maxTokens: e.MAX_TOKENS,
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxUpstreamCalls: e.MAX_UPSTREAM_CALLS,
      maxBatch: e.MAX_BATCH,
    },
    reportCost: e.REPORT_COST,
    logLevel: e.LOG_LEVEL,
    consumers: {
      persistedOperations: e.PERSISTED_OPERATIONS,
      persistedDocumentsFile: e.PERSISTED_DOCUMENTS_FILE,
      compression: e.COMPRESSION,
    },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX, timeoutMs: e.REDIS_TIMEOUT_MS },
    upstreamRateLimit: e.UPSTREAM_RATE_LIMIT,
    fleetLeaseMs: e.FLEET_LEASE_MS,
    clientCallsPerMinute: e.CLIENT_CALLS_PER_MINUTE,
    metricsToken: e.METRICS_TOKEN,
    cursorSecret: e.CURSOR_SECRET,
    live: {
      pollMs: e.SUBSCRIPTION_POLL_MS,
      maxSubscriptions: e.MAX_SUBSCRIPTIONS,
      maxPerClient: e.MAX_SUBSCRIPTIONS_PER_CLIENT,
      maxPolls: e.SUBSCRIPTION_MAX_POLLS,
      queueEvents: e.SUBSCRIPTION_QUEUE_EVENTS,
    },
  });
}
