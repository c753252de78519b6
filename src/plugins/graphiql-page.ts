/**
 * GraphiQL over HTTP (yoga's own GraphiQL is off: it renders the whole page per view):
 *  - the page at the endpoint: a GET whose Accept names text/html (yoga's rule), or a HEAD
 *    without a query; a few KB, `no-cache` with a strong ETag, so a browser revalidates it (304)
 *    and always gets the current asset names; `Vary: Accept, Accept-Encoding`;
 *  - its assets at /graphiql/<name>.<hash>.<ext>: `public, max-age=31536000, immutable` (the
 *    name changes with the content); an unknown name is 404, any method but GET/HEAD 405.
 * Both are kept compressed and answered from stored bytes (src/http/precompressed.ts); the page
 * is made once per server, the assets once per process (src/http/graphiql-assets.ts).
 */
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { GRAPHIQL_ASSETS_PATH, graphiqlAssets, graphiqlPage } from '../http/graphiql-assets.js';
import { wantsGraphiQLPage } from '../http/headers.js';
import { answerStored, precompress, type Precompressed } from '../http/precompressed.js';

const ASSET = { cacheControl: 'public, max-age=31536000, immutable' };
/** The endpoint also answers GraphQL: Accept picks the page. */
const PAGE = { cacheControl: 'no-cache', varyAlso: 'Accept' };

export function useGraphiQLPage(endpoint: string, options: GraphiQLOptions): Plugin {
  let page: Promise<Precompressed> | undefined;
  const pageOnce = () =>
    (page ??= graphiqlAssets()
      .then((assets) => precompress(Buffer.from(graphiqlPage(options, assets)), 'text/html; charset=utf-8'))
      .catch((error: unknown) => {
        page = undefined;
        throw error;
      }));
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const { pathname } = url;
      if (pathname.startsWith(GRAPHIQL_ASSETS_PATH)) {
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD', 'cache-control': 'no-store' } }));
          return;
        }
        return graphiqlAssets().then(({ byPath }) => {
          const asset = byPath.get(pathname);
          endResponse(asset ? answerStored(request, asset, ASSET, fetchAPI) : new fetchAPI.Response('Not Found', { status: 404, headers: { 'cache-control': 'no-store' } }));
        });
      }
      if (pathname !== endpoint && pathname !== `${endpoint}/`) return;
      const hasQuery = url.searchParams.has('query') || url.searchParams.has('extensions');
      if (!wantsGraphiQLPage(request.method, request.headers.get('accept'), hasQuery)) return;
      return pageOnce().then((stored) => endResponse(answerStored(request, stored, PAGE, fetchAPI)));
    },
  };
}
