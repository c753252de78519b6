/**
 * Small HTTP courtesies around the GraphQL endpoint:
 *  - `GET /` (and `HEAD /`) redirects to GraphiQL at the endpoint;
 *  - `HEAD` answers without a body (node:http drops the body of a HEAD response): with a query,
 *    the headers the GET would have; without one, those of the GraphiQL page (yoga's GraphiQL
 *    check runs before user plugins and only for GET, so that answer is made here).
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
      if (url.searchParams.has('query') || url.searchParams.has('extensions')) {
        setRequest(new fetchAPI.Request(request.url, { method: 'GET', headers: request.headers }));
      } else {
        endResponse(new fetchAPI.Response(null, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', vary: 'Accept-Encoding' } }));
      }
    },
  };
}
