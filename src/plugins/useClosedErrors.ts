/**
 * Every error a client sees, whoever raised it (our resolvers, graphql-js, yoga's request
 * parsing), leaves with one code of the closed set in src/errors.ts and only documented
 * extension keys; responses yoga sends without a body get a JSON one. A response without `data`
 * gets a 4xx (5xx for a fault of ours) under `application/graphql-response+json`, as the
 * GraphQL-over-HTTP spec asks; under `application/json` errors of the GraphQL layer stay 200.
 * The parts of an incremental answer (@defer/@stream, src/plugins/consumers.ts) are closed one by
 * one as they stream, their `incremental[].errors` included.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import { EXTENSION_KEYS, isErrorCode, MASKED_MESSAGE, type ErrorCode } from '../errors.js';
import { errorBody } from '../http/body-limit.js';
import type { Logger } from '../logger.js';

interface HttpExtension {
  status?: number;
  spec?: boolean;
  headers?: Record<string, string>;
}

/** Codes of a request refused at the HTTP level: their status holds under application/json too. */
const HTTP_LEVEL: ReadonlySet<ErrorCode> = new Set([
  'BAD_REQUEST',
  'METHOD_NOT_ALLOWED',
  'NOT_ACCEPTABLE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INTERNAL_SERVER_ERROR',
  // Persisted operations are refused before any GraphQL work: their 404/400 holds whatever the Accept.
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_MISMATCH',
  'PERSISTED_QUERY_ONLY',
  'PERSISTED_QUERY_NOT_IN_LIST',
  'PERSISTED_QUERY_ID_REQUIRED',
]);

/** The code of an error as raised, mapped onto the closed set, with the status of a refused request. */
export function closedCodeOf(error: GraphQLError): { code: ErrorCode; status: number; spec: boolean } {
  const raw = error.extensions?.code;
  const http = (error.extensions?.http ?? {}) as HttpExtension;
  const of = (code: ErrorCode, status: number) => ({ code, status, spec: !HTTP_LEVEL.has(code) && status !== 413 });
  if (raw === 'REQUEST_ENTITY_TOO_LARGE' || http.status === 413) return of('QUERY_TOO_COSTLY', 413);
  if (http.status === 405) return of('METHOD_NOT_ALLOWED', 405);
  if (raw === 'OPERATION_RESOLUTION_FAILURE') return of('BAD_REQUEST', 400);
  if (raw === 'INTERNAL_SERVER_ERROR') return of('INTERNAL_SERVER_ERROR', 500);
  if (isErrorCode(raw)) return of(raw, http.status ?? 400);
  // graphql-js reports variable coercion (getVariableValues) without a code or a path, always
  // worded 'Variable "$name" …'.
  if (raw === undefined && error.path === undefined && /^Variable "\$/.test(error.message)) return of('BAD_USER_INPUT', 400);
  return of('INTERNAL_SERVER_ERROR', 500);
}

/** The error as a client may see it: closed code, documented keys, nothing internal. */
export function toClosedError(error: GraphQLError, requestFailed: boolean): GraphQLError {
  const { code, status, spec } = closedCodeOf(error);
  const extensions: Record<string, unknown> = { code };
  // yoga's own refusal of a batch over MAX_BATCH is a 413 too, told apart only by its wording.
  if (code === 'QUERY_TOO_COSTLY' && status === 413) extensions.limit = /^Batching is limited/.test(error.message) ? 'batch' : 'size';
  for (const key of EXTENSION_KEYS) {
    const value = error.extensions?.[key];
    if (key !== 'code' && value !== undefined && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      extensions[key] = value;
    }
  }
  const headers = (error.extensions?.http as HttpExtension | undefined)?.headers;
  // `http` steers yoga's status and headers and is removed from the body by yoga itself.
  if (requestFailed) extensions.http = { status, spec, ...(headers ? { headers } : {}) };
  const message = code === 'INTERNAL_SERVER_ERROR' ? MASKED_MESSAGE : error.message;
  return new GraphQLError(message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source && error.positions ? { source: error.source, positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions,
  });
}

/**
 * The result with closed errors. A refused request (a client's mistake) is logged at debug; an
 * error that only here turns out to be a fault of ours (graphql-js's own, with no code) as an
 * error, since the mask never saw it.
 */
function closeErrors(raws: readonly unknown[], requestFailed: boolean, logger: Logger | undefined): GraphQLError[] {
  return raws.map((raw) => {
    const error = raw instanceof GraphQLError ? raw : new GraphQLError(String(raw));
    const closed = toClosedError(error, requestFailed);
    if (closed.extensions.code === 'INTERNAL_SERVER_ERROR' && error.extensions?.code !== 'INTERNAL_SERVER_ERROR') {
      logger?.error('unexpected error', { error: error.message.slice(0, 300) });
    }
    return closed;
  });
}

function closeResult(result: ExecutionResult, logger: Logger | undefined): ExecutionResult {
  if (!result.errors?.length) return result;
  const requestFailed = !('data' in result) || result.data === undefined;
  const errors = closeErrors(result.errors, requestFailed, logger);
  const codes = errors.map((e) => e.extensions.code);
  if (requestFailed && !codes.includes('INTERNAL_SERVER_ERROR')) {
    logger?.debug('request refused', { codes, error: errors[0]?.message.slice(0, 200) });
  }
  return { ...result, errors };
}

/** One part of an incremental (@defer/@stream) answer; later parts carry their errors in `incremental`. */
export interface IncrementalPart {
  data?: unknown;
  errors?: readonly unknown[];
  incremental?: ReadonlyArray<{ errors?: readonly unknown[] } & Record<string, unknown>>;
  [key: string]: unknown;
}

/**
 * A part of an incremental answer with closed errors. Its errors are field errors (the request
 * was admitted, the first part carries data), so they never steer the status.
 */
export function closeIncrementalPart(part: IncrementalPart, logger?: Logger): IncrementalPart {
  const closed: IncrementalPart = { ...part };
  if (part.errors?.length) closed.errors = closeErrors(part.errors, false, logger);
  if (part.incremental?.some((increment) => increment.errors?.length)) {
    closed.incremental = part.incremental.map((increment) => (increment.errors?.length ? { ...increment, errors: closeErrors(increment.errors, false, logger) } : increment));
  }
  return closed;
}

const bodiless: Record<number, { code: ErrorCode; message: string }> = {
  404: { code: 'NOT_FOUND', message: 'Nothing is served here; GraphQL is served at /graphql.' },
  405: { code: 'METHOD_NOT_ALLOWED', message: 'GraphQL is served over GET and POST only.' },
  406: { code: 'NOT_ACCEPTABLE', message: 'The response can only be application/graphql-response+json or application/json.' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the request as application/json (or a GET with query parameters).' },
};

export function useClosedErrors(logger?: Logger): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map((r) => closeResult(r as ExecutionResult, logger)));
      else if (isAsyncIterable(result)) setResult(mapAsyncIterator(result, (part) => closeIncrementalPart(part as IncrementalPart, logger)) as typeof result);
      else setResult(closeResult(result as ExecutionResult, logger));
    },
    onResponse({ response, setResponse, fetchAPI }) {
      const known = bodiless[response.status];
      if (!known || response.body !== null) return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('content-type', 'application/json; charset=utf-8');
      setResponse(new fetchAPI.Response(errorBody(known.message, { code: known.code }), { status: response.status, headers }));
    },
  };
}
