/**
 * Header names and the small rules over them that both the node:http edge (body limit, request
 * facts, warm front) and the yoga plugins use. They live here, below the plugins, so that the
 * edge never imports a plugin: src/plugins may import src/http, never the other way.
 */
import { randomUUID } from 'node:crypto';

/** The client asks for `extensions.cost` with `x-upstream-cost: 1` (read once, in request.ts). */
export const COST_HEADER = 'x-upstream-cost';

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/** The client's request id when it is sane (1–128 visible ASCII characters from a safe set), otherwise a new UUID. */
export function requestIdFrom(header: string | null | undefined): string {
  const value = header?.trim();
  return value && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Headers that a browser only sends after a preflight, so their presence proves one (CSRF). */
export const PREFLIGHT_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name', 'authorization'] as const;

/** Whole seconds a whole result stored at `lastModified` has left of `ttlMs` (the full TTL when unknown). */
export function secondsLeft(ttlMs: number, lastModified: string | undefined, now = Date.now()): number {
  const stored = lastModified === undefined ? Number.NaN : Date.parse(lastModified);
  const left = Number.isNaN(stored) ? ttlMs : stored + ttlMs - now;
  return Math.max(0, Math.floor(left / 1000));
}

/** Whether a request to the endpoint asks for the GraphiQL page rather than a GraphQL answer. */
export function wantsGraphiQLPage(method: string | undefined, accept: string | null | undefined, hasQuery: boolean): boolean {
  return (method === 'GET' && (accept ?? '').includes('text/html')) || (method === 'HEAD' && !hasQuery);
}

/** The codings we compress answers with. */
export type Encoding = 'br' | 'gzip';

/** The best encoding the client accepts, by q-value then our preference (br before gzip). */
export function negotiateEncoding(acceptEncoding: string | null): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const weight = (encoding: Encoding) => q.get(encoding) ?? q.get('*') ?? 0;
  const candidates = (['br', 'gzip'] as const).filter((e) => weight(e) > 0);
  candidates.sort((a, b) => weight(b) - weight(a));
  return candidates[0];
}
