/**
 * The request-size limit, enforced on node:http before yoga sees the request: a URL longer than
 * the limit gets 414, a body larger than the limit gets 413, whatever its transfer encoding.
 * Bytes are counted as they arrive; the first byte past the limit answers at once with a coded
 * JSON error and `Connection: close`, keeps nothing of the body and closes the connection (after
 * a short linger while the rest is discarded, so the client can read the answer instead of a
 * reset). A body within the limit is handed to yoga whole, so at most `maxBytes` per request is
 * ever held. A body with a Content-Encoding is decoded as it arrives (src/http/decode.ts) and the
 * limit holds for what it decodes to as well; an unsupported coding is 415 before it is read.
 */
import { maxHeaderSize, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createDecoder, parseContentEncoding, UNSUPPORTED_ENCODING, type Coding } from './decode.js';

export interface BodyLimitOptions {
  maxBytes: number;
  /** How long a refused connection may go on sending (discarded) before it is cut. */
  lingerMs?: number;
}

/** The JSON body of a request refused before GraphQL; the same shape as every other error. */
export function errorBody(message: string, extensions: Record<string, string | number>): string {
  return JSON.stringify({ errors: [{ message, extensions }] });
}

/**
 * Sends `last` (if any) and half-closes, then destroys the socket once the client has closed its
 * side or `lingerMs` has passed: a client that never closes cannot keep the socket (and its slot)
 * half-open.
 */
function endThenCut(socket: Socket, lingerMs: number, last?: string): void {
  if (last === undefined) socket.end();
  else socket.end(last);
  const cut = setTimeout(() => socket.destroy(), lingerMs);
  cut.unref();
  socket.once('close', () => clearTimeout(cut));
}

interface Refusal {
  status: 400 | 413 | 414 | 415;
  message: string;
  extensions: Record<string, string | number>;
}

const SIZE = { code: 'QUERY_TOO_COSTLY', limit: 'size' };
const tooLarge = (maxBytes: number): Refusal => ({ status: 413, message: `The request body is larger than ${maxBytes} bytes.`, extensions: SIZE });

/** Answers `refusal` and closes the connection, discarding whatever of the body still arrives. */
function refuse(req: IncomingMessage, res: ServerResponse, { status, message, extensions }: Refusal, lingerMs: number): void {
  const socket: Socket = req.socket;
  // Node ends a `Connection: close` response with socket.destroySoon(), which resets a connection
  // whose client is still sending, and a reset can swallow the 413. Half-close instead, discard
  // what still arrives, and cut the connection when the client closes or the linger ends.
  socket.destroySoon = () => endThenCut(socket, lingerMs);
  req.removeAllListeners('data');
  req.on('data', () => {});
  req.on('error', () => {});
  const body = errorBody(message, extensions);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
}

/** What the request line and headers alone decide: a refusal, or the body's codings. */
function screen(req: IncomingMessage, maxBytes: number): { refusal: Refusal } | { codings: Coding[] } {
  if ((req.url ?? '').length > maxBytes) return { refusal: { status: 414, message: `The request URL is longer than ${maxBytes} bytes.`, extensions: SIZE } };
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return { refusal: tooLarge(maxBytes) };
  const codings = parseContentEncoding(req.headers['content-encoding']);
  if (codings === undefined) return { refusal: { status: 415, message: UNSUPPORTED_ENCODING, extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } } };
  return { codings };
}

/**
 * Reads the body of `req`, decoding `codings`, into `done`; or refuses it at the first byte past
 * `maxBytes`, counted on the wire and again on what it decodes to.
 */
function readBody(req: IncomingMessage, codings: Coding[], maxBytes: number, done: (outcome: Buffer | Refusal) => void): void {
  const chunks: Buffer[] = [];
  let wire = 0;
  let received = 0;
  let settled = false;
  const settle = (outcome: Buffer | Refusal) => {
    if (settled) return;
    settled = true;
    chunks.length = 0;
    req.off('data', onData);
    if (!Buffer.isBuffer(outcome)) decoder?.destroy();
    done(outcome);
  };
  const accept = (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) settle(tooLarge(maxBytes));
    else chunks.push(chunk);
  };
  const whole = () => settle(Buffer.concat(chunks, received));
  const decoder =
    codings.length === 0
      ? undefined
      : createDecoder(codings, maxBytes, {
          data: accept,
          end: whole,
          tooLarge: () => settle(tooLarge(maxBytes)),
          invalid: (coding) => settle({ status: 400, message: `The request body is not valid ${coding}.`, extensions: { code: 'BAD_REQUEST' } }),
        });
  const onData = (chunk: Buffer) => {
    wire += chunk.length;
    if (wire > maxBytes) settle(tooLarge(maxBytes));
    else if (decoder) decoder.write(chunk);
    else accept(chunk);
  };
  req.on('data', onData);
  req.once('end', () => (decoder ? decoder.end() : whole()));
  // An aborted upload has nobody to answer.
  req.once('error', () => {
    settled = true;
    chunks.length = 0;
    decoder?.destroy();
  });
}

/** From here on the request is plain: yoga and the warm front see the decoded body and no coding. */
function markDecoded(req: IncomingMessage, body: Buffer | undefined): void {
  delete req.headers['content-encoding'];
  if (body === undefined) return;
  if (req.headers['content-length'] !== undefined) req.headers['content-length'] = String(body.length);
  // @whatwg-node/server takes a request whose body was already read from `body`.
  (req as IncomingMessage & { body?: Buffer }).body = body;
}

export function limitRequestSize(handler: RequestListener, options: BodyLimitOptions): RequestListener {
  const { maxBytes } = options;
  const lingerMs = options.lingerMs ?? 2_000;
  return (req, res) => {
    const screened = screen(req, maxBytes);
    if ('refusal' in screened) {
      refuse(req, res, screened.refusal, lingerMs);
      return;
    }
    const declared = req.headers['content-length'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (declared !== undefined && declared !== '0');
    if (!hasBody) {
      markDecoded(req, undefined);
      handler(req, res);
      return;
    }
    readBody(req, screened.codings, maxBytes, (outcome) => {
      if (!Buffer.isBuffer(outcome)) {
        refuse(req, res, outcome, lingerMs);
        return;
      }
      markDecoded(req, outcome);
      handler(req, res);
    });
  };
}

/** How long a socket answered by answerClientError (a 408 above all) may stay before it is destroyed. */
const CLIENT_ERROR_LINGER_MS = 1_000;

/**
 * Requests node:http refuses before any handler runs (headers over its `maxHeaderSize`, malformed
 * framing, a request or its headers too slow to arrive) get the same coded JSON as everything
 * else instead of a bare status line, and the socket is destroyed soon after.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // As node's own handler: answer only on a socket still writable and not mid-response.
  const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || current?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, body] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? ['431 Request Header Fields Too Large', errorBody(`The request URL and headers are larger than ${maxHeaderSize} bytes.`, { code: 'QUERY_TOO_COSTLY', limit: 'size' })]
      : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
        ? ['413 Payload Too Large', errorBody('The chunk extensions of the request are too large.', { code: 'QUERY_TOO_COSTLY', limit: 'size' })]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? ['408 Request Timeout', errorBody('The request took too long to arrive.', { code: 'BAD_REQUEST' })]
          : ['400 Bad Request', errorBody('The HTTP request is malformed.', { code: 'BAD_REQUEST' })];
  endThenCut(socket, CLIENT_ERROR_LINGER_MS, `HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
