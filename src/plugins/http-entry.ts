/**
 * Small HTTP courtesies around the GraphQL endpoint:
 *  - `GET /` (and `HEAD /`) redirects to GraphiQL at the endpoint;
 *  - `HEAD` with a query answers without a body (node:http drops the body of a HEAD response)
 *    and with the headers the GET would have; without one, it is the GraphiQL page's
 *    (graphiql-page answers it, before this plugin).
 */
import type { Plugin } from 'graphql-yoga';

export function useHttpEntry(endpoint: string): Plugin {
  return {
    onRequest({ request, url, endResponse, setRequest, fetchAPI }) {
      const method = request.method;
      if (method !== 'GET' && method !== 'HEAD') return;
      if (url.pathname === '/') {
        endResponse(new fetchAPI.Response(null, { status: 302, headers: { location: `${endpoint}${url.search}` } }));
        return;
      }
      if (method !== 'HEAD' || url.pathname !== endpoint) return;
      setRequest(new fetchAPI.Request(request.url, { method: 'GET', headers: request.headers }));
    },
  };
}
