/**
 * The closed set of error codes clients can see (docs/errors.md). Each class fixes its
 * `extensions.code` and a message safe to show; `toClientError` maps upstream and pagination
 * failures onto them. Anything else stays masked by yoga.
 */
import { GraphQLError } from 'graphql';
import { PaginationInputError } from './pagination/errors.js';
import { CallBudgetSpent } from './upstream/client.js';
import { UpstreamError, UpstreamInputError } from './upstream/errors.js';
import { ROUTES } from './upstream/routes.js';

export const ERROR_CODES = [
  // Field and argument errors
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'QUERY_TOO_COSTLY',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_BAD_RESPONSE',
  // Subscriptions: refused before any poll (`limit`: process, client or polls), or ended for a reader that fell behind
  'TOO_MANY_SUBSCRIPTIONS',
  'SLOW_READER',
  // Request errors (the whole request is refused; no `data`)
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'METHOD_NOT_ALLOWED',
  'NOT_ACCEPTABLE',
  'UNSUPPORTED_MEDIA_TYPE',
  // Persisted operations (PERSISTED_OPERATIONS; The Guild's APQ and persisted-operations plugins)
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_MISMATCH',
  'PERSISTED_QUERY_ONLY',
  'PERSISTED_QUERY_NOT_IN_LIST',
  'PERSISTED_QUERY_ID_REQUIRED',
  // A fault of ours, logged as an error; the message is masked.
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Every key an error's `extensions` may carry (docs/errors.md); anything else is dropped. */
export const EXTENSION_KEYS = ['code', 'limit', 'planned', 'budget', 'retryAfter', 'reason'] as const;

/** What a client reads in place of a fault of ours. */
export const MASKED_MESSAGE = 'Unexpected error.';

type Extra = Record<string, string | number | boolean>;

export class CodedError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Extra = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

export class BadUserInputError extends CodedError {
  constructor(message: string, extra?: Extra) {
    super('BAD_USER_INPUT', message, extra);
  }
}

export class NotFoundError extends CodedError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} was not found.`);
  }
}

/** The value, or NOT_FOUND for `what` when the loaders found nothing (at the schema's entry points). */
export function orNotFound<T>(value: T | null, what: string): T {
  if (value === null) throw new NotFoundError(what);
  return value;
}

export class QueryTooCostlyError extends CodedError {
  constructor(message: string, extra?: Extra) {
    super('QUERY_TOO_COSTLY', message, extra);
  }
}

/** The client-facing error for an upstream failure: code, safe message, no URL, no body. */
export function fromUpstreamError(error: UpstreamError): CodedError {
  const what = ROUTES[error.route].what;
  switch (error.kind) {
    case 'timeout':
      return new CodedError('UPSTREAM_TIMEOUT', `Civitai did not answer in time while loading ${what}.`);
    case 'network':
      return new CodedError('UPSTREAM_UNAVAILABLE', `Civitai could not be reached while loading ${what}.`);
    case 'parse':
      return new CodedError('UPSTREAM_BAD_RESPONSE', `Civitai answered with a body that is not JSON while loading ${what}.`, {
        reason: 'NOT_JSON',
      });
    case 'invalid':
      return new CodedError('UPSTREAM_BAD_RESPONSE', `Civitai answered with an unexpected shape while loading ${what}.`, {
        reason: 'UNEXPECTED_SHAPE',
      });
    case 'unauthenticated':
      return new CodedError('UNAUTHENTICATED', `Civitai did not accept the API key while loading ${what}.`);
    case 'forbidden':
      return new CodedError('FORBIDDEN', `Civitai does not allow this API key to load ${what}.`);
    case 'unsupported':
      return new BadUserInputError(error.upstreamMessage ?? `The upstream API cannot serve this request for ${what}.`);
    case 'http':
      break;
  }
  if (error.isNotFound) return new CodedError('NOT_FOUND', `Civitai has no such resource (${what}).`);
  if (error.isPageLimit) {
    return new BadUserInputError('Civitai serves numbered pages only up to item 1000; page forward with cursors instead.');
  }
  if (error.status === 429) {
    const retry: Extra = error.retryAfterMs !== undefined ? { retryAfter: Math.ceil(error.retryAfterMs / 1000) } : {};
    return new CodedError('UPSTREAM_RATE_LIMITED', `Civitai is rate limiting requests for ${what}; retry later.`, retry);
  }
  if (error.status !== undefined && error.status >= 400 && error.status < 500) {
    return new BadUserInputError(`Civitai rejected the request for ${what}.`);
  }
  return new CodedError('UPSTREAM_UNAVAILABLE', `Civitai failed while loading ${what}.`);
}

/** Errors from our own layers that must reach the client with a code; undefined otherwise. */
export function toClientError(error: unknown): GraphQLError | undefined {
  if (error instanceof CodedError) return error;
  if (error instanceof UpstreamError) return fromUpstreamError(error);
  if (error instanceof PaginationInputError) return new BadUserInputError(error.message);
  if (error instanceof UpstreamInputError) return new BadUserInputError(error.message);
  if (error instanceof CallBudgetSpent) {
    return new QueryTooCostlyError(
      `This field needs more upstream calls than the query planned (${error.planned}): a list was longer than the plan assumed. Ask for it in a query of its own.`,
      { limit: 'cost', planned: error.planned },
    );
  }
  return undefined;
}
