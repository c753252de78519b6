/**
 * Upstream failures, described without GraphQL: what went wrong talking to Civitai.
 * `src/errors.ts` turns these into coded GraphQL errors; nothing here names a URL or a body.
 */
export type UpstreamRoute = 'models' | 'model' | 'model-version' | 'by-hash' | 'by-hash-batch' | 'creators' | 'tags' | 'images';

export type UpstreamErrorKind =
  | 'timeout' // no answer within the configured time
  | 'network' // connection refused or reset
  | 'unauthenticated' // 401: the credential is missing, unknown or revoked
  | 'forbidden' // 403: the credential may not see this
  | 'http' // any other non-2xx status
  | 'parse' // the body is not JSON (malformed, or an HTML page)
  | 'invalid' // JSON that fails the response schema
  | 'unsupported'; // the upstream cannot serve what was asked (a filter a 2022-style API lacks): the caller's to change

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  readonly route: UpstreamRoute;
  readonly status: number | undefined;
  /** Milliseconds the upstream asked us to wait (Retry-After), if it said. */
  readonly retryAfterMs: number | undefined;
  /** The upstream's own short error text (e.g. "No model with id 5"), when it gave one. */
  readonly upstreamMessage: string | undefined;
  /** Not worth retrying whatever its status says (a refusal of our own rate gate). */
  readonly final: boolean;

  constructor(init: {
    kind: UpstreamErrorKind;
    route: UpstreamRoute;
    status?: number;
    retryAfterMs?: number;
    upstreamMessage?: string;
    final?: boolean;
  }) {
    super(`upstream ${init.route}: ${init.kind}${init.status ? ` ${init.status}` : ''}`);
    this.name = 'UpstreamError';
    this.kind = init.kind;
    this.route = init.route;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.upstreamMessage = init.upstreamMessage;
    this.final = init.final ?? false;
  }

  get isNotFound(): boolean {
    return this.kind === 'http' && this.status === 404;
  }

  /**
   * The live API answers HTTP 429 "You've requested too many pages" when page × limit > 1000.
   * It is a paging limit, not a rate limit: retrying cannot succeed (spec: civitai-api-live.md).
   */
  get isPageLimit(): boolean {
    return this.kind === 'http' && this.status === 429 && /too many pages/i.test(this.upstreamMessage ?? '');
  }

  /** A 429 is worth retrying only when it says how long to wait (within the caller's budget). */
  get isRetryable(): boolean {
    if (this.final) return false;
    if (this.kind === 'timeout' || this.kind === 'network') return true;
    if (this.kind !== 'http' || this.status === undefined) return false;
    if (this.status === 429) return !this.isPageLimit && this.retryAfterMs !== undefined;
    return this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/**
 * A request Civitai refuses or would refuse for a value the caller gave: either checked before
 * any call (a rule the upstream is known to enforce), or read from the upstream's own 400 when
 * only it knows the rule (e.g. the valid `baseModels` of /images). The message names the
 * argument and what it accepts; it is safe to show a client.
 */
export class UpstreamInputError extends Error {
  override readonly name = 'UpstreamInputError';
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
  }
}
