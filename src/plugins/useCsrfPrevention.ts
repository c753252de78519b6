/**
 * CSRF prevention in the manner of @graphql-yoga/plugin-csrf-prevention: a browser sends a form
 * (url-encoded, multipart, text/plain) or a plain GET cross-site without a CORS preflight, so
 * such requests are refused unless they carry a header no simple request can set. Form and
 * multipart bodies are refused outright: this API takes JSON (or a GET) only. A JSON POST, which
 * always needs a preflight cross-site, passes as before, and so does GraphiQL's.
 */
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Headers that a browser only sends after a preflight, so their presence proves one. */
export const PREFLIGHT_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name', 'authorization'] as const;

const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      const contentType = request.headers.get('content-type')?.toLowerCase();
      const simple = contentType === undefined || contentType === '' || SIMPLE_CONTENT_TYPES.some((t) => contentType.startsWith(t));
      if (request.method === 'POST' && simple && contentType) {
        throw createGraphQLError(`POST bodies must be application/json, not ${contentType.split(';')[0]}.`, {
          extensions: { code: 'UNSUPPORTED_MEDIA_TYPE', http: { status: 415 } },
        });
      }
      if (!simple || PREFLIGHT_HEADERS.some((h) => request.headers.has(h))) return;
      throw createGraphQLError(
        'This request could be forged cross-site: send it with content-type application/json, or add the header x-graphql-yoga-csrf: 1.',
        { extensions: { code: 'BAD_REQUEST', http: { status: 403 } } },
      );
    },
  };
}
