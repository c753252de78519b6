/**
 * `/healthz`: the process answers (liveness). `/readyz`: it should get traffic (readiness): 503
 * while draining after SIGTERM, so a load balancer stops sending before the listener closes.
 * Redis being down does not make a replica unready, since it then serves from its own cache and the
 * upstream; the state is reported so an operator sees it. Neither endpoint calls the upstream.
 */
import type { Plugin } from 'graphql-yoga';

export interface Readiness {
  readonly draining: boolean;
  /** `off` when REDIS_URL is not set. */
  readonly redis: 'up' | 'down' | 'off';
}

export function useHealth(readiness: () => Readiness): Plugin {
  return {
    onRequest({ url, request, fetchAPI, endResponse }) {
      if (url.pathname !== '/healthz' && url.pathname !== '/readyz') return;
      const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      if (url.pathname === '/healthz') {
        endResponse(new fetchAPI.Response(JSON.stringify({ status: 'ok' }), { status: 200, headers }));
        return;
      }
      const state = readiness();
      const ready = !state.draining;
      endResponse(new fetchAPI.Response(JSON.stringify({ ready, ...state }), { status: ready ? 200 : 503, headers }));
    },
  };
}
