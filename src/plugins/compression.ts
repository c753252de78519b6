/**
 * Response compression by Accept-Encoding (brotli preferred, then gzip; q-values honoured), with
 * node:zlib off the event loop. whatwg-node's own useContentEncoding is not used: it matches
 * encodings by exact string (`gzip, br` never finds " br"), ignores q-values, compresses
 * streams (which would hold @defer parts back). Here:
 *  - JSON answers (and other whole bodies of 1 KB or more) are compressed per response, at a
 *    fast level;
 *  - GraphiQL's page and assets come already encoded as the client prefers, from bytes
 *    compressed once (src/http/precompressed.ts, by negotiateEncoding too): when one comes plain,
 *    the client accepts no encoding, so nothing is left to do here;
 *  - streamed answers (multipart/mixed of @defer/@stream, text/event-stream) pass through.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';
import { negotiateEncoding, type Encoding } from '../http/headers.js';
import { addVary } from './http-caching.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const MIN_BYTES = 1024;
const STREAMED = /^(multipart\/|text\/event-stream)/i;

async function compress(body: Uint8Array, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'gzip') return gzipAsync(body, { level: 6 });
  return brotli(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 4,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  });
}

export function useCompression(): Plugin {
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      const type = response.headers.get('content-type') ?? '';
      if (!response.body || response.headers.has('content-encoding') || STREAMED.test(type)) return;
      addVary(response.headers, 'Accept-Encoding');
      const encoding = negotiateEncoding(request.headers.get('accept-encoding'));
      if (!encoding) return;
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.byteLength < MIN_BYTES) {
        setResponse(new fetchAPI.Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }));
        return;
      }
      const compressed = await compress(body, encoding);
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('content-encoding', encoding);
      headers.set('content-length', String(compressed.byteLength));
      setResponse(new fetchAPI.Response(compressed as Uint8Array<ArrayBuffer>, { status: response.status, statusText: response.statusText, headers }));
    },
  };
}
