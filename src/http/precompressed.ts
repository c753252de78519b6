/**
 * Fixed bodies (GraphiQL's page and assets) kept as bytes in every encoding we serve, compressed
 * once when they are made: plain, br and gzip, each representation with its own strong ETag
 * (the content hash, plus the encoding). A request gets the representation its Accept-Encoding
 * prefers (negotiateEncoding, the same rule as response compression, so that plugin never finds
 * anything left to do here), or 304 when If-None-Match names that representation's ETag. The
 * stored Buffer is the body of every answer: a request copies nothing.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { entityTag, matchesIfNoneMatch } from './etag.js';
import { negotiateEncoding, type Encoding } from './headers.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

interface Representation {
  body: Buffer;
  etag: string;
  encoding: Encoding | undefined;
}

export interface Precompressed {
  readonly contentType: string;
  /** Hex SHA-256 of the plain bytes: names an asset, so that its URL changes with its content. */
  readonly hash: string;
  readonly plain: Representation;
  readonly encoded: Readonly<Record<Encoding, Representation>>;
}

/**
 * Brotli at quality 5 and gzip at 6: ~0.8 s for GraphiQL's 9 MB, once per process; quality 11
 * would take ~20 s for 8% less.
 */
async function encode(body: Buffer, encoding: Encoding, text: boolean): Promise<Buffer> {
  if (encoding === 'gzip') return gzipAsync(body, { level: 6 });
  return brotli(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
      [constants.BROTLI_PARAM_MODE]: text ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
    },
  });
}

export async function precompress(body: Buffer, contentType: string): Promise<Precompressed> {
  const hash = createHash('sha256').update(body).digest('hex');
  const plain: Representation = { body, etag: entityTag(hash.slice(0, 32), undefined), encoding: undefined };
  // Always kept encoded, even where that is no smaller: an answer that comes plain to a client
  // accepting an encoding would be compressed again, per request, by response compression.
  const represent = async (encoding: Encoding): Promise<Representation> => ({
    body: await encode(body, encoding, contentType.startsWith('text/')),
    etag: entityTag(hash.slice(0, 32), encoding),
    encoding,
  });
  const [br, gz] = await Promise.all([represent('br'), represent('gzip')]);
  return { contentType, hash, plain, encoded: { br, gzip: gz } };
}

export interface Served {
  cacheControl: string;
  /** Request headers besides Accept-Encoding that picked this body (Vary). */
  varyAlso?: string;
}

/** The answer to a GET or HEAD for `stored`: its best representation, or 304. */
export function answerStored(request: Request, stored: Precompressed, served: Served, fetchAPI: { Response: typeof Response }): Response {
  const encoding = negotiateEncoding(request.headers.get('accept-encoding'));
  const chosen = encoding === undefined ? stored.plain : stored.encoded[encoding];
  const vary = served.varyAlso ? `${served.varyAlso}, Accept-Encoding` : 'Accept-Encoding';
  const headers: Record<string, string> = { etag: chosen.etag, 'cache-control': served.cacheControl, vary };
  if (matchesIfNoneMatch(request.headers.get('if-none-match'), chosen.etag)) return new fetchAPI.Response(null, { status: 304, headers });
  headers['content-type'] = stored.contentType;
  headers['content-length'] = String(chosen.body.byteLength);
  headers['x-content-type-options'] = 'nosniff';
  if (chosen.encoding) headers['content-encoding'] = chosen.encoding;
  const body = request.method === 'HEAD' ? null : (chosen.body as Uint8Array<ArrayBuffer>);
  return new fetchAPI.Response(body, { status: 200, headers });
}
