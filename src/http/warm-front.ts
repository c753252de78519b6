/**
 * The warm path: a repeat of a cacheable request answered with the bytes yoga wrote the first
 * time, on node:http, before yoga sees it. It sits behind the body limit (limitRequestSize has
 * read and bounded the body), so the only work for a warm repeat is one hash of the request and
 * one write.
 *
 * What it serves and why that is the same answer:
 *  - only requests the whole-result cache serves: GET or POST to the endpoint (not GraphiQL's
 *    page: a GET whose Accept names text/html), without a client credential (the request's facts
 *    give the shared partition: the server key's fingerprint, or anonymous), no cost report (the
 *    facts again; with REPORT_COST the front is off), no If-None-Match / If-Modified-Since (yoga's
 *    response cache answers 304 itself);
 *  - the key hashes everything the answer depends on: method, URL (path + query string), body
 *    bytes, the partition, and the request headers that change the answer or whether it is
 *    refused: Accept (response media type), Accept-Encoding (compression), Content-Type, the
 *    fetch-metadata headers and the presence of each preflight header (CSRF), Origin (CORS
 *    headers) (KEYED_HEADERS);
 *  - only answers the whole-result cache stored are kept: status 200, an ETag (the response
 *    cache sets ETag and Last-Modified exactly when it stores a result: no errors, a query), not
 *    streamed (@defer/@stream, SSE), no Set-Cookie;
 *  - an entry lives until the stored result's Last-Modified + TTL (Last-Modified has whole
 *    seconds, rounded down, so it never outlives the whole-result cache's entry), and never
 *    longer than the TTL from now;
 *  - per-request headers are made again on each hit: `x-request-id` (the client's sane one or a
 *    new UUID), `public, max-age=<seconds left>` recomputed as useHttpCaching does, Date and
 *    Connection by node:http.
 * Hits are reported through `onHit` (server.ts counts them as HTTP requests and response-cache hits).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { PREFLIGHT_HEADERS, REQUEST_ID_HEADER, requestIdFrom, secondsLeft, wantsGraphiQLPage } from './headers.js';
import type { RequestFacts } from './request.js';

export interface WarmFrontOptions {
  /** The GraphQL endpoint's path ('/graphql'). */
  endpoint: string;
  /** The whole-result cache's TTL (CACHE_TTL_LIST_MS). */
  ttlMs: number;
  /** The request's facts (src/http/request.ts): its shared partition and whether it reports cost. */
  facts: (req: IncomingMessage) => RequestFacts;
  maxEntries: number;
  maxBytes: number;
  now?: () => number;
  /** Called for each answer served from stored bytes, with what the first answer recorded. */
  onHit?: (labels: OperationLabels, seconds: number, method: string) => void;
}

export interface OperationLabels {
  operationName: string | undefined;
  operationType: string;
}

interface Stored {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  lastModified: string | undefined;
  publicCache: boolean;
  labels: OperationLabels;
}

export interface WarmFront {
  /** The request listener: serves warm repeats, hands the rest to `next` and records what it answers. */
  readonly listener: RequestListener;
  /** For the yoga plugin that names the operation of a response (metrics labels of later hits). */
  label(res: ServerResponse, labels: OperationLabels): void;
  readonly size: number;
}

/**
 * Request headers that change the answer or whether it is refused: media type, compression,
 * CSRF (content type, fetch metadata), CORS (origin). A plugin that starts reading another
 * request header must add it here, or a warm repeat would ignore it.
 */
const KEYED_HEADERS = ['accept', 'accept-encoding', 'content-type', 'origin', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest'];

/** Response headers that belong to one response only, never stored. */
const PER_RESPONSE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', REQUEST_ID_HEADER]);
const STREAMED = /^(multipart\/|text\/event-stream)/i;
const PUBLIC_MAX_AGE = /^public, max-age=\d+$/;

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** The key of a request the front may answer, or undefined when it must go to yoga. */
export function warmKey(req: IncomingMessage, endpoint: string, facts: RequestFacts): string | undefined {
  const method = req.method;
  if (method !== 'GET' && method !== 'POST') return undefined;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if ((q === -1 ? url : url.slice(0, q)) !== endpoint) return undefined;
  // The GraphiQL page is no GraphQL answer (whether there are parameters only matters for HEAD).
  if (wantsGraphiQLPage(method, header(req, 'accept'), q !== -1)) return undefined;
  const h = req.headers;
  const { partition, reportsCost } = facts;
  if (partition === undefined || reportsCost || h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined) return undefined;
  const hash = createHash('sha256');
  hash.update(`${method}\n${url}\n${partition}\n`);
  for (const name of KEYED_HEADERS) hash.update(`${header(req, name)}\n`);
  for (const name of PREFLIGHT_HEADERS) hash.update(h[name] === undefined ? '0' : '1');
  const body = (req as IncomingMessage & { body?: Buffer }).body;
  if (body !== undefined) hash.update(body);
  return hash.digest('base64');
}

/** What a response wrote (head headers and body bytes), or undefined when it cannot be copied. */
interface Written {
  headHeaders: OutgoingHttpHeaders | undefined;
  body: Buffer;
}

/** Wraps `res`'s writeHead/write/end to keep a copy of what goes out. */
function copyWrites(res: ServerResponse): { done(): Written | undefined } {
  const chunks: Buffer[] = [];
  let headHeaders: OutgoingHttpHeaders | undefined;
  let failed = false;
  const writeHead = res.writeHead;
  const write = res.write;
  const end = res.end;
  const keep = (chunk: unknown, encoding: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    else failed = true;
  };
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const last = args[args.length - 1];
    if (args.length > 1 && last !== null && typeof last === 'object') {
      if (Array.isArray(last)) failed = true;
      else headHeaders = { ...(last as OutgoingHttpHeaders) };
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return { done: () => (failed ? undefined : { headHeaders, body: Buffer.concat(chunks) }) };
}

/** The entry to store for a finished 200 answer, or undefined when it is no stored whole result. */
function storable(res: ServerResponse, written: Written, labels: OperationLabels | undefined): Stored | undefined {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries({ ...res.getHeaders(), ...(written.headHeaders ?? {}) })) {
    const lower = name.toLowerCase();
    if (value !== undefined && !PER_RESPONSE.has(lower)) headers[lower] = value;
  }
  const type = String(headers['content-type'] ?? '');
  if (headers['etag'] === undefined || STREAMED.test(type) || headers['set-cookie'] !== undefined) return undefined;
  const cacheControl = headers['cache-control'];
  return {
    status: 200,
    headers,
    body: written.body,
    lastModified: typeof headers['last-modified'] === 'string' ? headers['last-modified'] : undefined,
    publicCache: typeof cacheControl === 'string' && PUBLIC_MAX_AGE.test(cacheControl),
    labels: labels ?? { operationName: undefined, operationType: 'query' },
  };
}

export function createWarmFront(next: RequestListener, options: WarmFrontOptions): WarmFront {
  // Read at each use, so that a test that fakes Date after start-up moves this clock too.
  const now = options.now ?? (() => Date.now());
  const entries = new LRUCache<string, Stored>({
    max: Math.max(1, options.maxEntries),
    maxSize: Math.max(1, options.maxBytes),
    sizeCalculation: (entry) => Math.max(1, entry.body.byteLength + 512),
    ttlAutopurge: false,
    perf: { now },
    ttlResolution: 0,
  });
  const labels = new WeakMap<ServerResponse, OperationLabels>();

  function serve(req: IncomingMessage, res: ServerResponse, entry: Stored, started: number): void {
    const headers: OutgoingHttpHeaders = { ...entry.headers };
    if (entry.publicCache) headers['cache-control'] = `public, max-age=${secondsLeft(options.ttlMs, entry.lastModified, now())}`;
    headers[REQUEST_ID_HEADER] = requestIdFrom(header(req, REQUEST_ID_HEADER));
    headers['content-length'] = entry.body.byteLength;
    res.writeHead(entry.status, headers);
    res.end(entry.body);
    try {
      options.onHit?.(entry.labels, (performance.now() - started) / 1000, req.method ?? 'GET');
    } catch {
      // Counting a hit must never fail the process; the answer is already written.
    }
  }

  /** Lets `next` answer, keeping a copy of what it writes; stores it when it is a stored whole result. */
  function record(req: IncomingMessage, res: ServerResponse, key: string): void {
    const copy = copyWrites(res);
    res.once('finish', () => {
      const written = res.statusCode === 200 ? copy.done() : undefined;
      if (!written) return;
      const stored = storable(res, written, labels.get(res));
      if (!stored) return;
      const storedAt = stored.lastModified === undefined ? Number.NaN : Date.parse(stored.lastModified);
      const ttl = Math.min(options.ttlMs, Number.isNaN(storedAt) ? options.ttlMs : storedAt + options.ttlMs - now());
      if (ttl > 0) entries.set(key, stored, { ttl });
    });
    next(req, res);
  }

  return {
    listener(req, res) {
      const started = performance.now();
      const key = warmKey(req, options.endpoint, options.facts(req));
      if (key === undefined) return next(req, res);
      const entry = entries.get(key);
      if (entry) return serve(req, res, entry, started);
      record(req, res, key);
    },
    label(res, value) {
      labels.set(res, value);
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * Names the operation of each response for the front, so that hits are counted under the same
 * labels as the request that filled them: the params' name first (a response-cache hit never
 * executes), the document's operation when it executes.
 */
export function useWarmFrontLabels(front: WarmFront): Plugin {
  const resOf = (context: unknown) => (context as { res?: ServerResponse } | undefined)?.res;
  return {
    onParams({ params, context }) {
      const res = resOf(context);
      if (res) front.label(res, { operationName: params.operationName ?? undefined, operationType: 'query' });
    },
    onExecute({ args }) {
      const res = resOf(args.contextValue);
      const operation = getOperationAST(args.document, args.operationName);
      if (res && operation) front.label(res, { operationName: operation.name?.value, operationType: operation.operation });
    },
  };
}
