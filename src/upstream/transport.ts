/**
 * What an upstream call is: the credential it is sent with, the request (route, path, query,
 * body, how long its answer lives, the route's parse function) and what identifies its answer.
 * The call itself goes through the pipeline of src/upstream/call.ts.
 */
import { createHash } from 'node:crypto';
import type { UpstreamRoute } from './errors.js';

export interface Credential {
  /** The Authorization header value to send, if any. */
  readonly authorization: string | undefined;
  /** Stable, non-reversible id of the credential: 'anon' or a hash prefix. Safe to log. */
  readonly fingerprint: string;
}

export function credentialFor(apiKey: string | undefined): Credential {
  if (!apiKey) return { authorization: undefined, fingerprint: 'anon' };
  const fingerprint = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
  return { authorization: `Bearer ${apiKey}`, fingerprint };
}

export interface UpstreamRequest<T> {
  route: UpstreamRoute;
  /** Path below the base URL, built from validated, percent-encoded parts: '/models/12'. */
  path: string;
  query?: ReadonlyArray<readonly [string, string]>;
  /** GET unless said; a POST sends `body` as JSON (the by-hash batch). */
  method?: 'GET' | 'POST';
  /** The JSON body of a POST; part of what identifies the answer (see `cacheKeyOf`). */
  body?: unknown;
  /** How long a successful answer may be kept: a list or a single entity. */
  cacheKind: 'list' | 'entity';
  parse: (body: unknown) => T;
  /**
   * Reads a 4xx body that says which argument was wrong (a validation the upstream owns) into
   * an error for the caller to fix; undefined leaves it an ordinary HTTP failure.
   */
  rejected?: (status: number, body: unknown) => Error | undefined;
}

/** The request's path and sorted query: what is sent, and what identifies the answer. */
export function targetOf(request: Pick<UpstreamRequest<unknown>, 'path' | 'query'>): string {
  const query = [...(request.query ?? [])].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
  const search = new URLSearchParams(query.map(([k, v]): [string, string] => [k, v])).toString();
  return search ? `${request.path}?${search}` : request.path;
}

/**
 * What identifies an answer in the cache: the target, and for a POST its method and a hash of its
 * JSON body, so two batches with other bodies never share an answer.
 */
export function cacheKeyOf(request: Pick<UpstreamRequest<unknown>, 'path' | 'query' | 'method' | 'body'>): string {
  const target = targetOf(request);
  if ((request.method ?? 'GET') === 'GET') return target;
  const body = createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('base64url');
  return `${request.method} ${target} ${body}`;
}

export interface Delivery<T> {
  value: T;
  /** Length of the body text, for the cache's size estimate. */
  jsonLength: number;
  /** False when the upstream forbade caching (no-store, private): nothing derived may be kept. */
  cacheable: boolean;
}

/** HTTP requests sent for one call, retries included; the caller decides whom to charge. */
export interface Attempts {
  calls: number;
  retries: number;
}
