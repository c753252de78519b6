/**
 * Stage 5, transport: one HTTP exchange with Civitai, the only `fetch` of the project. It sends
 * the credential, bounds the attempt by its timeout (UPSTREAM_TIMEOUT_MS, or what the call's
 * deadline leaves, whichever is shorter), reads the body as text, and turns a failure to get an
 * answer into an UpstreamError (timeout or network). What the answer means is read.ts's.
 */
import type { Credential } from '../transport.js';
import { UpstreamError, type UpstreamRoute } from '../errors.js';

export interface Exchanged {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
}

export interface ExchangeOptions {
  baseUrl: string;
  fetch?: typeof fetch | undefined;
}

export interface Outgoing {
  route: UpstreamRoute;
  method: 'GET' | 'POST';
  /** Path and query below the base URL. */
  target: string;
  body?: unknown;
}

export type Exchange = (outgoing: Outgoing, credential: Credential, timeoutMs: number) => Promise<Exchanged>;

export function createExchange(options: ExchangeOptions): Exchange {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  return async ({ route, method, target, body }, credential, timeoutMs) => {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'civitai-graphql' };
    if (credential.authorization) headers.authorization = credential.authorization;
    // One timer cleared when the body is read, rather than AbortSignal.timeout: that one costs ~10x
    // more to make and keeps its timer until the signal is collected (41 per cold models page).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
    const init: RequestInit = { method, headers, signal: deadline.signal, redirect: 'error' };
    if (method === 'POST') {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body ?? null);
    }
    try {
      const response = await doFetch(base + target, init);
      const text = await response.text();
      return { status: response.status, ok: response.ok, headers: response.headers, text };
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new UpstreamError({ kind: timedOut ? 'timeout' : 'network', route });
    } finally {
      clearTimeout(timer);
    }
  };
}
