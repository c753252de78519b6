/**
 * Small HTTP courtesies around the GraphQL endpoint:
 *  - `GET /` (and `HEAD /`) redirects to GraphiQL at the endpoint;
 *  - `HEAD` is answered as the GET would be, without a body (node:http drops the body of a HEAD
 *    response); a HEAD of the endpoint without a query describes the GraphiQL page.
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
      if (method === 'HEAD' && url.pathname === endpoint) {
        const headers = new fetchAPI.Headers(request.headers);
        if (!url.searchParams.has('query') && !url.searchParams.has('extensions')) headers.set('accept', 'text/html');
        setRequest(new fetchAPI.Request(request.url, { method: 'GET', headers }));
      }
    },
  };
}
