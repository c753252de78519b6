/**
 * Request bodies with a Content-Encoding: gzip, deflate and br are decoded, with
 * MAX_REQUEST_BYTES counted on what they decode to (a bomb stops there: 413, decompression
 * stopped, nothing kept); identity is plain; any other coding is 415 before the body is read.
 * Raw node:http requests, so the headers and bytes are exactly what is sent.
 */
import { request as httpRequest } from 'node:http';
import { brotliCompressSync, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect } from 'vitest';
import { test, type Stack } from '../helpers/stack.js';

const MAX = 100_000;
test.override({ stackOptions: { env: { MAX_REQUEST_BYTES: String(MAX) } } });

interface Answer {
  status: number;
  body: unknown;
}

/** POSTs `body` with `encoding` as its Content-Encoding (none when undefined). */
function post(stack: Stack, body: Buffer, encoding: string | undefined): Promise<Answer> {
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...(encoding !== undefined ? { 'content-encoding': encoding } : {}) },
      },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString();
          resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : text });
          req.destroy();
        });
      },
    );
    // Once answered, the server may close while the rest of the body is still going out.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(body);
  });
}

const query = Buffer.from(JSON.stringify({ query: '{ __typename }' }));
const typename = { data: { __typename: 'Query' } };
const sizeError = { errors: [{ message: `The request body is larger than ${MAX} bytes.`, extensions: { code: 'QUERY_TOO_COSTLY', limit: 'size' } }] };

/** A valid GraphQL request of exactly `size` bytes, padded in `extensions`. */
function jsonOfSize(size: number): Buffer {
  const head = '{"query":"{ __typename }","extensions":{"pad":"';
  const tail = '"}}';
  return Buffer.concat([Buffer.from(head), Buffer.alloc(size - head.length - tail.length, 'x'), Buffer.from(tail)]);
}

const encoders: Record<string, (b: Buffer) => Buffer> = {
  gzip: gzipSync,
  'x-gzip': gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};

describe('encoded request bodies', () => {
  for (const [coding, encode] of Object.entries(encoders)) {
    test(`when the body is ${coding}, then it is decoded and executed`, async ({ stack }) => {
      expect(await post(stack, encode(query), coding)).toEqual({ status: 200, body: typename });
    });

    test(`when a ${coding} body decodes to exactly the limit, then it is executed, and one byte more is 413`, async ({ stack }) => {
      expect(await post(stack, encode(jsonOfSize(MAX)), coding)).toEqual({ status: 200, body: typename });
      expect(await post(stack, encode(jsonOfSize(MAX + 1)), coding)).toEqual({ status: 413, body: sizeError });
      expect(stack.fixture.calls()).toBe(0);
    });
  }

  test('when codings are stacked (gzip, then br), then they are undone in reverse order', async ({ stack }) => {
    expect(await post(stack, brotliCompressSync(gzipSync(query)), 'gzip, br')).toEqual({ status: 200, body: typename });
  });

  test('when the coding is identity, in any case, then the body is plain', async ({ stack }) => {
    expect(await post(stack, query, 'identity')).toEqual({ status: 200, body: typename });
    expect(await post(stack, query, 'Identity')).toEqual({ status: 200, body: typename });
    expect(await post(stack, gzipSync(query), 'GZIP')).toEqual({ status: 200, body: typename });
    // Empty list elements are ignored (RFC 9110 §5.6.1).
    expect(await post(stack, gzipSync(query), ', gzip,')).toEqual({ status: 200, body: typename });
  });

  test('when the coding is unknown, alone or stacked with known ones, then 415 with a coded error before anything runs', async ({ stack }) => {
    // A plain body: read as plain, it would run.
    for (const coding of ['compress', 'zstd', 'gzip, rot13', 'rot13, identity', 'gzip;q=1', 'gzip, gzip, gzip, gzip']) {
      const answer = await post(stack, query, coding);
      expect(answer, coding).toEqual({
        status: 415,
        body: { errors: [{ message: 'Content-Encoding must be gzip, deflate, br or identity (at most 3 codings).', extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] },
      });
    }
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when a body is not valid for its coding, then 400 with a coded error', async ({ stack }) => {
    const answer = await post(stack, Buffer.concat([gzipSync(query).subarray(0, 12), Buffer.from('garbage')]), 'gzip');
    expect(answer).toEqual({
      status: 400,
      body: { errors: [{ message: 'The request body is not valid gzip.', extensions: { code: 'BAD_REQUEST' } }] },
    });
    expect(await post(stack, query, 'br')).toMatchObject({ status: 400 });
  });
});

describe('a decompression bomb (MAX_REQUEST_BYTES=2000000)', () => {
  const BIG = 2_000_000;
  test.override({ stackOptions: { env: { MAX_REQUEST_BYTES: String(BIG) } } });
  /** 1 GiB of zeros gzipped (about 1 MB), made chunk by chunk: the 1 GiB is never held. */
  let bomb: Buffer;
  beforeAll(async () => {
    const gzip = createGzip({ level: 9 });
    const out: Buffer[] = [];
    gzip.on('data', (d: Buffer) => out.push(d));
    const ended = new Promise((resolve) => gzip.on('end', resolve));
    const zeros = Buffer.alloc(1 << 20);
    for (let i = 0; i < 1024; i++) {
      if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
    }
    gzip.end();
    await ended;
    bomb = Buffer.concat(out);
  }, 60_000);

  test('when 1 MB of gzip would decode to 1 GB, then it is refused 413 at the limit, quickly, with memory bounded, and the server still answers', async ({ stack }) => {
    expect(bomb.length).toBeLessThan(1_100_000);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const started = Date.now();
    // Its 1 MB is within the limit on the wire; what it decodes to is not.
    const answers = await Promise.all(Array.from({ length: 4 }, () => post(stack, bomb, 'gzip')));
    const ms = Date.now() - started;
    clearInterval(sampler);
    const bigError = { errors: [{ message: `The request body is larger than ${BIG} bytes.`, extensions: { code: 'QUERY_TOO_COSTLY', limit: 'size' } }] };
    for (const answer of answers) expect(answer).toEqual({ status: 413, body: bigError });
    // Decoding the whole gigabyte takes seconds and a gigabyte; stopping at the limit takes neither.
    expect(ms).toBeLessThan(2_000);
    expect(peak - before).toBeLessThan(50 * 1024 * 1024);
    expect(await stack.client.execute('{ __typename }')).toEqual({ status: 200, data: { __typename: 'Query' } });
  });
});
