/**
 * The request-size limit holds for every transfer encoding: bytes are counted as they arrive,
 * the first byte past MAX_REQUEST_BYTES is answered 413 and the connection is closed without
 * the rest being kept. Raw node:http requests, so nothing in between fixes the framing for us.
 */
import { maxHeaderSize, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { describe, expect } from 'vitest';
import { test, type Stack } from '../helpers/stack.js';

const MAX = 100_000;
// A server per test: a refused connection or the 20 oversize streams never weigh on the next test.
test.override({ stackOptions: { env: { MAX_REQUEST_BYTES: String(MAX) } } });
const it = test;

/** A valid GraphQL request of exactly `size` bytes, padded in `extensions`. */
function jsonOfSize(size: number): Buffer {
  const head = '{"query":"{ __typename }","extensions":{"pad":"';
  const tail = '"}}';
  return Buffer.concat([Buffer.from(head), Buffer.alloc(size - head.length - tail.length, 'x'), Buffer.from(tail)]);
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  /** Bytes of the request body written before the answer came. */
  written: number;
}

/**
 * Sends `total` bytes of a JSON body in `chunk`-sized writes, `gapMs` apart, chunked unless a
 * content-length is given; stops writing as soon as the answer arrives.
 */
function send(stack: Stack, options: { total?: number; chunk?: number; gapMs?: number; contentLength?: boolean; body?: Buffer }): Promise<Answer> {
  const url = new URL(stack.url);
  const body = options.body ?? jsonOfSize(options.total ?? 0);
  const chunk = options.chunk ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.contentLength ? { 'content-length': String(body.length) } : {}) },
    });
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString(), written });
        req.destroy();
      });
      res.on('error', reject);
    });
    // Once answered, the server may cut the connection while we would still be writing.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      if (answered || req.destroyed) return;
      if (written >= body.length) {
        req.end();
        return;
      }
      const part = body.subarray(written, written + chunk);
      written += part.length;
      req.write(part);
      setTimeout(pump, options.gapMs ?? 0);
    };
    pump();
  });
}

const json = (a: Answer) => JSON.parse(a.body) as { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> };
const sizeError = { errors: [{ message: `The request body is larger than ${MAX} bytes.`, extensions: { code: 'QUERY_TOO_COSTLY', limit: 'size' } }] };

describe('request bodies', () => {
  it('when a chunked body passes the limit, then it is answered 413 with a coded error and the connection is closed', async ({ stack }) => {
    const answer = await send(stack, { total: 2_000_000 });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(json(answer)).toEqual(sizeError);
    expect(stack.fixture.calls()).toBe(0);
  });

  it('when a chunked body passes the limit, then the server ends the connection itself, even while the client stays', async ({ stack }) => {
    // A raw socket: an HTTP client would close on `Connection: close` by itself.
    const url = new URL(stack.url);
    const piece = jsonOfSize(MAX + 5_000);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`POST /graphql HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`);
        socket.write(`${piece.length.toString(16)}\r\n`);
        socket.write(piece);
        socket.write('\r\n');
      });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      // We never end nor destroy the socket: 'end' means the server closed it.
      socket.once('end', () => {
        resolve(text);
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe(JSON.stringify(sizeError));
  });

  it('when a body declares a length past the limit, then it is answered 413 before it is read', async ({ stack }) => {
    const answer = await send(stack, { total: 2_000_000, contentLength: true, gapMs: 5 });
    expect(answer.status).toBe(413);
    expect(json(answer)).toEqual(sizeError);
    // Answered from the header alone: far fewer bytes went out than the body holds.
    expect(answer.written).toBeLessThan(1_000_000);
  });

  it('when a body is exactly at the limit, chunked or with a length, then it is executed', async ({ stack }) => {
    for (const contentLength of [false, true]) {
      const answer = await send(stack, { total: MAX, contentLength });
      expect(answer.status, answer.body).toBe(200);
      expect(json(answer)).toEqual({ data: { __typename: 'Query' } });
    }
    const over = await send(stack, { total: MAX + 1 });
    expect(over.status).toBe(413);
  });

  it('when a small chunked body arrives in many pieces, then it is executed', async ({ stack }) => {
    const body = Buffer.from(JSON.stringify({ query: '{ model(id: 64) { name } }' }));
    const answer = await send(stack, { total: body.length, body, chunk: 3, gapMs: 1 });
    expect(answer.status).toBe(200);
    expect(json(answer).data).toEqual({ model: { name: expect.any(String) } });
  });

  it('when 20 clients stream oversize bodies at once, then every one gets 413, memory stays bounded and the server keeps answering', async ({ stack }) => {
    // One body shared by every client, allocated before measuring: what grows is the server's.
    const body = jsonOfSize(8_000_000);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    // 8 MB each, sent continuously in 64 KB pieces: 160 MB if the server kept them.
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(stack, { body, gapMs: 2 })));
    clearInterval(sampler);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(413));
    for (const answer of answers) expect(json(answer)).toEqual(sizeError);
    // Each was answered soon after the limit, not after its whole body.
    for (const answer of answers) expect(answer.written).toBeLessThan(4_000_000);
    expect(peak - before).toBeLessThan(50 * 1024 * 1024);
    const after = await stack.client.execute('{ model(id: 64) { id } }');
    expect(after.status).toBe(200);
    expect(after.errors).toBeUndefined();
  });

  it('when the URL and headers pass the 16 KB header limit of node:http, then a coded 431 answers', async ({ stack }) => {
    const response = await fetch(`${stack.url}?query=${'x'.repeat(20_000)}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(response.status).toBe(431);
    expect(await response.json()).toEqual({
      errors: [{ message: `The request URL and headers are larger than ${maxHeaderSize} bytes.`, extensions: { code: 'QUERY_TOO_COSTLY', limit: 'size' } }],
    });
  });

  describe('with MAX_REQUEST_BYTES=2000', () => {
    test.override({ stackOptions: { env: { MAX_REQUEST_BYTES: '2000' } } });

    it('when the URL is longer than a smaller limit, then it is answered 414 with a coded error', async ({ stack: small }) => {
      const response = await fetch(`${small.url}?query=${encodeURIComponent(`{ __typename ${' '.repeat(2000)}}`)}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
      expect(response.status).toBe(414);
      expect(await response.json()).toEqual({
        errors: [{ message: 'The request URL is longer than 2000 bytes.', extensions: { code: 'QUERY_TOO_COSTLY', limit: 'size' } }],
      });
      const fine = await fetch(`${small.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
      expect(await fine.json()).toEqual({ data: { __typename: 'Query' } });
    });
  });
});
