/**
 * CSRF prevention: The Guild's @graphql-yoga/plugin-csrf-prevention decides whether a request
 * could have been sent cross-site without a CORS preflight (no content type, or a form-like one,
 * and none of the headers below); such a request is refused 403 before it is parsed. Two things
 * are ours around it:
 *  - form, multipart and text/plain POST bodies are refused outright with 415 (yoga itself would
 *    run a url-encoded form that carries the header): this API takes JSON (or a GET) only;
 *  - its refusal ('Required CSRF header(s) not present', uncoded) is re-thrown with a closed code
 *    (BAD_REQUEST) and a message that tells the client what to send.
 * A JSON POST (GraphiQL's included) always needs a preflight cross-site and passes; so does a GET
 * from Apollo's HttpLink, which sends `content-type: application/json` on GETs for this reason.
 * urql's default GETs carry no such header: they stay refused (a GET that runs without a
 * preflight is one any page can make a visitor's browser send, with CORS_ORIGINS as without),
 * and the refusal names urql's two settings that pass (README, client section).
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { PREFLIGHT_HEADERS } from '../http/headers.js';

const FORM_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export function useCsrfPrevention(): Plugin {
  const guild = useCSRFPrevention({ requestHeaders: [...PREFLIGHT_HEADERS] });
  const guildCheck = guild.onRequestParse!;
  return {
    onRequestParse(payload) {
      const contentType = payload.request.headers.get('content-type')?.toLowerCase();
      if (payload.request.method === 'POST' && contentType && FORM_CONTENT_TYPES.some((t) => contentType.startsWith(t))) {
        throw createGraphQLError(`POST bodies must be application/json, not ${contentType.split(';')[0]}.`, {
          extensions: { code: 'UNSUPPORTED_MEDIA_TYPE', http: { status: 415 } },
        });
      }
      try {
        // The Guild's check is synchronous: it returns nothing or throws.
        void guildCheck(payload);
      } catch {
        throw createGraphQLError(
          'This request could be forged cross-site: add the header x-graphql-yoga-csrf: 1 to GETs, or send queries as JSON POSTs ' +
            "(urql: fetchOptions: { headers: { 'x-graphql-yoga-csrf': '1' } }, or preferGetMethod: false).",
          { extensions: { code: 'BAD_REQUEST', http: { status: 403 } } },
        );
      }
    },
  };
}
