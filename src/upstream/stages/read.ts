/**
 * Stage 6, reading: what an exchanged answer means. A non-2xx status becomes an UpstreamError
 * (its kind, Retry-After, Civitai's short message) or the route's own rejection (a 4xx naming a
 * wrong argument); an HTML page or a body that is not JSON is `parse`; JSON is handed to the
 * route's parse function (the tolerant reading lives there, in models.ts, images.ts, …), whose
 * failure is `invalid`. Whether the answer may be kept is read from its Cache-Control.
 */
import { UpstreamError, type UpstreamRoute } from '../errors.js';
import type { Delivery, UpstreamRequest } from '../transport.js';
import type { Exchanged } from './exchange.js';

const MAX_ERROR_BODY = 4096;

export function readAnswer<T>(request: UpstreamRequest<T>, answer: Exchanged): Delivery<T> {
  const { status, text } = answer;
  if (!answer.ok) throw rejection(request, status, text) ?? httpError(request.route, answer);
  const contentType = answer.headers.get('content-type') ?? '';
  // Outages answer with an HTML maintenance page, sometimes with status 200.
  if (/html/i.test(contentType)) throw new UpstreamError({ kind: 'parse', route: request.route, status });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UpstreamError({ kind: 'parse', route: request.route, status });
  }
  let value: T;
  try {
    value = request.parse(body);
  } catch {
    throw new UpstreamError({ kind: 'invalid', route: request.route, status });
  }
  const cacheable = !/no-store|private/i.test(answer.headers.get('cache-control') ?? '');
  return { value, jsonLength: text.length, cacheable };
}

function rejection(request: UpstreamRequest<unknown>, status: number, text: string): Error | undefined {
  if (!request.rejected || status < 400 || status >= 500) return undefined;
  try {
    return request.rejected(status, JSON.parse(text));
  } catch {
    return undefined;
  }
}

function httpError(route: UpstreamRoute, answer: Exchanged): UpstreamError {
  const retryAfter = parseRetryAfter(answer.headers.get('retry-after'));
  let upstreamMessage: string | undefined;
  try {
    upstreamMessage = errorMessageOf(JSON.parse(answer.text.slice(0, MAX_ERROR_BODY)));
  } catch {
    // Not JSON (an HTML page, an empty body): nothing to quote.
  }
  return new UpstreamError({
    kind: answer.status === 401 ? 'unauthenticated' : answer.status === 403 ? 'forbidden' : 'http',
    route,
    status: answer.status,
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    ...(upstreamMessage !== undefined ? { upstreamMessage: upstreamMessage.slice(0, 200) } : {}),
  });
}

/** The one Retry-After parser: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); anything else is unusable. */
export function parseRetryAfter(value: string | null): number | undefined {
  const text = value?.trim() ?? '';
  // Any number of digits is valid; past 1e9 s (31 years) it only means "long" (the gate caps hold-offs).
  if (/^\d+$/.test(text)) return Math.min(Number(text), 1e9) * 1000;
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The short text of an error body. Shapes differ by endpoint (civitai-api-live.md, "Errors"):
 * `{error: "text"}`, `{message: "text"}`, `{message, error}` (500), `{error: {name: "ZodError",
 * message: "<JSON issues>"}}`, a bare issue array (/creators, /tags). Zod details are not quoted.
 */
export function errorMessageOf(body: unknown): string | undefined {
  if (Array.isArray(body)) return 'Invalid parameters';
  if (!body || typeof body !== 'object') return undefined;
  const { error, message } = body as { error?: unknown; message?: unknown };
  if (typeof error === 'string' && typeof message !== 'string') return error;
  if (typeof message === 'string') return message;
  if (error && typeof error === 'object') return 'Invalid parameters';
  return undefined;
}
