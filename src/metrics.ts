/**
 * What a replica reports on `/metrics` (Prometheus text), one registry per server so several
 * servers in one process (tests) never mix. GraphQL requests and latency per operation name come
 * from @graphql-yoga/plugin-prometheus (src/plugins/useMetrics.ts); the rest are ours, fed by
 * whoever knows the fact: every upstream request (`upstreamCall`, the metrics stage of src/upstream/call.ts),
 * each request's upstream cost (`inflightShare`, useMetrics), the cache tiers (`cacheLookup`:
 * 'local' = the in-process LRU of upstream answers, 'redis' = every lookup in the shared tier,
 * answers and whole results, 'response' = the whole-result cache, either level, 'front' = warm
 * repeats written as stored bytes before GraphQL runs), the upstream
 * gate (`rateLimitWait`).
 *
 * Every label value is bounded: a closed set, or a sanitised name of which only the first
 * `MAX_DISTINCT` are kept (later ones count as "other"). Never an id, a URL, a username or a key.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_CODES } from './errors.js';

export const METRIC_PREFIX = 'cgql_';
const MAX_DISTINCT = 50;

export type CacheTier = 'local' | 'redis' | 'response' | 'front';
export type CacheOutcome = 'hit' | 'miss' | 'stale' | 'error';
export type UpstreamStatus = number | 'timeout' | 'network' | 'rate-limited';

/** A label whose values come from outside: sanitised, and at most `max` distinct values. */
export function boundedLabel(pattern: RegExp, max = MAX_DISTINCT, fallback = 'other'): (value: string | undefined | null) => string {
  const seen = new Set<string>();
  return (value) => {
    if (!value || !pattern.test(value)) return value ? fallback : 'anonymous';
    if (seen.has(value)) return value;
    if (seen.size >= max) return fallback;
    seen.add(value);
    return value;
  };
}

const KNOWN_CODES = new Set<string>([...ERROR_CODES, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'INTERNAL_SERVER_ERROR']);

export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && KNOWN_CODES.has(code) ? code : 'UNCODED';
}

export function upstreamStatusLabel(status: UpstreamStatus): string {
  if (typeof status === 'number') return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
  return status;
}

export interface Metrics {
  readonly registry: Registry;
  /** Sanitises and bounds a client-chosen operation name. */
  readonly operationName: (name: string | undefined | null) => string;
  upstreamCall(route: string, status: UpstreamStatus, seconds: number): void;
  cacheLookup(tier: CacheTier, outcome: CacheOutcome, count?: number): void;
  inflightShare(count?: number): void;
  rateLimitWait(outcome: 'waited' | 'rejected', ms: number): void;
  graphqlError(code: unknown): void;
  /** A field of an answer read from Civitai that had drifted (`field`: a path pattern such as `items[].stats.downloadCount`). */
  upstreamDrift(route: string, field: string): void;
  /** Reports `cgql_redis_up` (1/0) from now on; not reported at all when Redis is not configured. */
  watchRedis(state: () => 'up' | 'down'): void;
  /** Reports open subscriptions and polled topics (src/live) from now on. */
  watchLive(state: () => { subscriptions: number; topics: number }): void;
  livePoll(outcome: 'ok' | 'error'): void;
  liveEventsSent(count: number): void;
}

export interface MetricsOptions {
  /** Process metrics (RSS, heap, event loop lag); off in unit tests that only look at ours. */
  processMetrics?: boolean;
}

/** Our own series, registered in `registry`. */
function ownSeries(registry: Registry) {
  const counter = (name: string, help: string, labelNames: readonly string[] = []) => new Counter({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [registry] });
  return {
    upstreamRequests: counter('upstream_requests_total', 'Requests sent to Civitai, per route and HTTP status (or timeout / network)', ['route', 'status']),
    upstreamDuration: new Histogram({
      name: `${METRIC_PREFIX}upstream_request_duration_seconds`,
      help: 'Time of one request to Civitai, per route',
      labelNames: ['route'] as const,
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    cacheLookups: counter('cache_lookups_total', 'Cache lookups per tier (local LRU, shared Redis, whole results, warm front) and outcome', ['tier', 'outcome']),
    inflightShares: counter('inflight_shares_total', 'Upstream requests saved by joining one already in flight'),
    rateLimitWaits: counter('rate_limit_waits_total', 'Upstream calls that waited for the budget or a hold-off, or were refused', ['outcome']),
    rateLimitWaitSeconds: counter('rate_limit_wait_seconds_total', 'Time upstream calls spent waiting for the budget or a hold-off'),
    graphqlErrors: counter('graphql_errors_total', 'Errors in GraphQL responses, per extensions.code', ['code']),
    upstreamDrift: counter('upstream_drift_total', 'Fields of answers read from Civitai whose value could not be read as before, per route and field path pattern', ['route', 'field']),
    livePolls: counter('live_polls_total', 'Polls of Civitai for live subscriptions made by this replica, per outcome (ok, error)', ['outcome']),
    liveEvents: counter('live_events_sent_total', 'Subscription events queued for subscribers of this replica'),
  };
}

/** Gauges read at scrape time from a state function given later (Redis, live subscriptions). */
function watchers(registry: Registry): Pick<Metrics, 'watchRedis' | 'watchLive'> {
  const gauge = (name: string, help: string, read: () => number) => {
    registry.removeSingleMetric(`${METRIC_PREFIX}${name}`);
    new Gauge({ name: `${METRIC_PREFIX}${name}`, help, registers: [registry], collect() { this.set(read()); } });
  };
  return {
    watchRedis(state) {
      gauge('redis_up', '1 when the shared Redis answers, 0 while it is down (the replica then serves alone)', () => (state() === 'up' ? 1 : 0));
    },
    watchLive(state) {
      gauge('live_subscriptions', 'Open subscriptions on this replica', () => state().subscriptions);
      gauge('live_topics', 'Distinct questions polled for the subscribers of this replica (by it, or by the replica holding each lease)', () => state().topics);
    },
  };
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
    // prom-client names three gauges `…_total` (sums of the per-type gauges kept beside them),
    // which `promtool check metrics` refuses: `_total` belongs to counters.
    for (const gauge of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(METRIC_PREFIX + gauge);
  }
  const route = boundedLabel(/^[a-z][a-z0-9-]{0,31}$/, 20);
  // Patterns come from the readers' own keys, so they are few; bounded all the same.
  const driftField = boundedLabel(/^[A-Za-z0-9_.[\]]{1,120}$/, 200);
  const s = ownSeries(registry);
  return {
    registry,
    operationName: boundedLabel(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/),
    upstreamCall(name, status, seconds) {
      const r = route(name);
      s.upstreamRequests.inc({ route: r, status: upstreamStatusLabel(status) });
      if (Number.isFinite(seconds) && seconds >= 0) s.upstreamDuration.observe({ route: r }, seconds);
    },
    cacheLookup(tier, outcome, count = 1) {
      if (count > 0) s.cacheLookups.inc({ tier, outcome }, count);
    },
    inflightShare(count = 1) {
      if (count > 0) s.inflightShares.inc(count);
    },
    rateLimitWait(outcome, ms) {
      s.rateLimitWaits.inc({ outcome });
      if (ms > 0) s.rateLimitWaitSeconds.inc(ms / 1000);
    },
    graphqlError(code) {
      s.graphqlErrors.inc({ code: errorCodeLabel(code) });
    },
    upstreamDrift(name, field) {
      s.upstreamDrift.inc({ route: route(name), field: driftField(field) });
    },
    ...watchers(registry),
    livePoll(outcome) {
      s.livePolls.inc({ outcome });
    },
    liveEventsSent(count) {
      if (count > 0) s.liveEvents.inc(count);
    },
  };
}
