/**
 * What GraphiQL costs the server's memory. The page used to be rendered whole (9 MB of inlined
 * JS) on every GET and its text kept per encoding, so a replica whose heap was already busy died
 * under 20 concurrent page loads. Now the assets are kept once, as bytes outside the V8 heap,
 * and a visit copies nothing: 40 concurrent first visits (the page, then every asset it loads,
 * as a browser with an empty cache asks for them) add no more than a few MB of heap.
 * Measured in this process (the server runs here), after forced collections.
 */
import { request as httpRequest } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect } from 'vitest';
import { test, type Stack } from '../helpers/stack.js';

const it = test;
const MB = 2 ** 20;
const BROWSER = { accept: 'text/html,application/xhtml+xml', 'accept-encoding': 'gzip, deflate, br' };

/** GET `url`, counting the body's bytes without keeping them (the client must not be what is measured). */
function fetchCounting(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let bytes = 0;
      let text = '';
      const keepText = String(res.headers['content-type']).startsWith('text/html') && res.headers['content-encoding'] === undefined;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.byteLength;
        if (keepText) text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A first visit: the page, then everything it refers to under /graphiql/, all at once. */
async function visit(stack: Stack, assets: string[]): Promise<number> {
  const page = await fetchCounting(stack.url, BROWSER);
  expect(page.status).toBe(200);
  const answers = await Promise.all(assets.map((path) => fetchCounting(new URL(path, stack.url).href, BROWSER)));
  expect(answers.map((a) => a.status)).toEqual(assets.map(() => 200));
  return page.bytes + answers.reduce((sum, a) => sum + a.bytes, 0);
}

describe('GraphiQL and the heap', () => {
  it('when 40 browsers open GraphiQL at once, then the heap grows by no more than a few MB', { timeout: 120_000 }, async ({ stack }) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const usage = () => {
      gc();
      gc();
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return { heap: heapUsed / MB, bytes: arrayBuffers / MB };
    };
    const before = usage();
    // The first view prepares what is kept: the assets, compressed, as bytes.
    const html = (await fetchCounting(stack.url, { accept: 'text/html' })).text;
    // (graphiql-page.test.ts checks which they are.)
    const assets = [...new Set(html.match(/\/graphiql\/[\w.-]+\.(js|css|ico)/g) ?? [])];
    const perVisit = await visit(stack, assets);
    const prepared = usage();
    expect(prepared.heap - before.heap).toBeLessThan(4);
    // ~9 MB plain, ~2 MB br, ~2.5 MB gzip.
    expect(prepared.bytes - before.bytes).toBeLessThan(20);

    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed / MB)), 5);
    const sent = await Promise.all(Array.from({ length: 40 }, () => visit(stack, assets)));
    clearInterval(sampler);
    const after = usage();
    expect(sent.every((bytes) => bytes === perVisit)).toBe(true);
    expect(perVisit).toBeLessThan(5 * MB);
    expect(after.heap - prepared.heap).toBeLessThan(4);
    expect(after.bytes - prepared.bytes).toBeLessThan(4);
    // Garbage included (nothing was collected on purpose meanwhile): nothing like 40 copies of a page.
    expect(peak - prepared.heap).toBeLessThan(48);
  });
});
