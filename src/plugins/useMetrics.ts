/**
 * `/metrics` in Prometheus text: GraphQL requests and latency per operation name (The Guild's
 * prometheus plugin, with every label that a client chooses bounded and no URL label), errors per
 * `extensions.code` as the client sees them (after masking), and the registry's own counters
 * (src/metrics.ts). With `METRICS_TOKEN` set, `/metrics` needs `Authorization: Bearer <token>`.
 *
 * In-flight sharing is counted from each request's upstream cost (the same number as
 * `extensions.cost`); cache lookups are reported by each tier itself (src/server.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { createCounter, createHistogram, usePrometheus, type FillLabelsFnParams } from '@graphql-yoga/plugin-prometheus';
import { isAsyncIterable } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { RequestFacts } from '../http/request.js';
import type { Metrics } from '../metrics.js';

export const METRICS_PATH = '/metrics';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS']);

export interface MetricsEndpointOptions {
  /** METRICS_TOKEN: `/metrics` then needs it as the request's Bearer token. */
  token?: string | undefined;
  /** The request's facts (its Bearer token, read once at the edge; a malformed one was refused there). */
  facts: (request: Request) => RequestFacts;
}

export function useMetrics(metrics: Metrics, options: MetricsEndpointOptions): Plugin[] {
  const { registry } = metrics;
  const operation = (params: FillLabelsFnParams) => ({
    operation_name: metrics.operationName(params.operationName),
    operation_type: params.operationType ?? 'unknown',
  });
  const prometheus = usePrometheus({
    registry,
    endpoint: false,
    skipIntrospection: false,
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: { name: 'graphql_envelop_request_total', help: 'GraphQL operations executed, per operation name', labelNames: ['operation_name', 'operation_type'] },
        fillLabelsFn: operation,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_envelop_request_duration',
          help: 'Time to execute a GraphQL operation (seconds), per operation name',
          labelNames: ['operation_name', 'operation_type'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        },
        fillLabelsFn: operation,
      }),
      graphql_yoga_http_duration: createHistogram<'request', 'operation_name' | 'operation_type' | 'method' | 'status_code', FillLabelsFnParams & { request: Request; response: Response }>({
        registry,
        histogram: {
          name: 'graphql_yoga_http_duration',
          help: 'Time to answer an HTTP request (seconds), per operation name and status',
          labelNames: ['operation_name', 'operation_type', 'method', 'status_code'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        },
        fillLabelsFn: (params) => ({
          ...operation(params),
          method: METHODS.has(params.request.method) ? params.request.method : 'other',
          status_code: params.response.status,
        }),
      }),
      // The defaults below label by raw operation name or error path, which clients choose.
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_error_result: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
    },
  });

  const endpoint: Plugin<Context> = {
    onExecute({ args }) {
      return {
        onExecuteDone() {
          const cost = (args.contextValue as Partial<Context>).cost;
          if (!cost) return;
          metrics.inflightShare(cost.inflightShares);
        },
      };
    },
    onRequest({ url, request, fetchAPI, endResponse }) {
      if (url.pathname !== METRICS_PATH) return undefined;
      if (options.token !== undefined) {
        const given = options.facts(request).token;
        if (!given || !sameToken(given, options.token)) {
          endResponse(new fetchAPI.Response('unauthorized\n', { status: 401, headers: { 'www-authenticate': 'Bearer' } }));
          return undefined;
        }
      }
      return registry.metrics().then((text) => {
        endResponse(new fetchAPI.Response(text, { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } }));
      });
    },
  };
  return [prometheus, endpoint as Plugin];
}

/**
 * `cgql_graphql_errors_total{code}`: errors of each result, counted by the code the client reads,
 * so it goes after useClosedErrors (src/server.ts), which gives every error its closed code.
 */
export function useErrorMetrics(metrics: Metrics): Plugin {
  return {
    onResultProcess({ result }) {
      if (isAsyncIterable(result)) return;
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of one.errors ?? []) metrics.graphqlError(error.extensions?.code);
      }
    },
  };
}
