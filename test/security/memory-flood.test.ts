/**
 * One anonymous client must not exhaust the heap. The flood of the hostile review: 20 concurrent
 * POSTs of `query D<n> { __typename }`, `n` changing every few hundred requests, each with one
 * unused variable of ~16 KB, ended `npm start` with "JavaScript heap out of memory" in 10–18 s:
 * the plan memo kept up to 500 variable sets per parsed document, and the parse cache kept 1,024
 * documents. Token-dense documents (2,000 tokens in 4 KB of text, ~1 MB of AST each) did the same
 * through the parse cache, whose bound counted text only. Here each flood runs against the real
 * server in a child process with a 64 MB heap (`npm start` has 160 MB), so a cache that grows
 * with what a client sends ends the process within seconds; the server must answer throughout and
 * its heap stay within its budget.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const HEAP_MB = 64;
/**
 * Each flood sends this many requests (the unbounded caches crashed after 20 to 2,000), ~10 s on
 * a quiet machine; the time bound only stops a flood on a machine too loaded to send them all.
 */
const MAX_REQUESTS = 4_000;
const MAX_MS = 90_000;
const CONCURRENCY = 20;

interface Child {
  url: string;
  process: ChildProcess;
  exited(): string | undefined;
  peakRssMb(): number;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** The server as `npm start` runs it, but from the sources and with a 64 MB heap; no upstream is needed. */
function startServer(env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', join(root, 'src/main.ts')], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CIVITAI_API_URL: 'http://127.0.0.1:9', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  let exit: string | undefined;
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2_000)));
  child.once('exit', (code, signal) => (exit = `exited (${code ?? signal}): ${output.slice(-400)}`));
  return new Promise((resolve, reject) => {
    let printed = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${printed}${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(printed)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({
        url,
        process: child,
        exited: () => exit,
        peakRssMb: () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
      });
    });
    child.once('exit', () => reject(new Error(`the server exited at start: ${output}`)));
  });
}

type Answer = (body: unknown) => boolean;

interface Flood {
  answered: number;
  failures: string[];
}

/** `CONCURRENCY` clients send `body(i)` for i = 0, 1, … until the count or time bound; every answer must be `expected`. */
async function flood(server: Child, body: (i: number) => unknown, expected: Answer, count = MAX_REQUESTS): Promise<Flood> {
  const end = Date.now() + MAX_MS;
  let next = 0;
  const result: Flood = { answered: 0, failures: [] };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count && Date.now() < end && result.failures.length === 0) {
        const i = next++;
        try {
          const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body(i)) });
          const answer: unknown = await response.json();
          if (response.status !== 200 || !expected(answer)) {
            result.failures.push(`request ${i}: ${response.status} ${JSON.stringify(answer).slice(0, 200)}`);
          } else result.answered++;
        } catch (error) {
          // Give the exit event a moment, so a crash is reported as one.
          await new Promise((resolve) => setTimeout(resolve, 200));
          result.failures.push(`request ${i}: ${String((error as Error).cause ?? error)}; ${server.exited() ?? 'still running'}`);
        }
      }
    }),
  );
  return result;
}

/** After a flood: no failure, the server alive and answering, its RSS far from unbounded. */
async function expectStillServing(server: Child, outcome: Flood, minimum: number): Promise<void> {
  expect(outcome.failures.slice(0, 3)).toEqual([]);
  expect(outcome.answered).toBeGreaterThanOrEqual(minimum);
  expect(server.exited()).toBeUndefined();
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
  expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  // The heap is capped at 64 MB: what is left is code (tsx's compiler included), native buffers
  // and the young generation. Node 24 holds 256-268 MB here where Node 20 held under 250 MB; an
  // unbounded cache instead ends the process ("heap out of memory"), which the checks above catch.
  expect(server.peakRssMb()).toBeLessThan(320);
}

const TYPENAME: Answer = (body) => JSON.stringify(body) === '{"data":{"__typename":"Query"}}';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('a flood of distinct documents and variables, heap capped at 64 MB', () => {
  it('the review flood: a new operation name every 200 requests, one unused 16 KB variable each', { timeout: 150_000 }, async () => {
    const server = await startServer();
    const pad = 'x'.repeat(16_000);
    const outcome = await flood(server, (i) => ({ query: `query D${Math.floor(i / 200)} { __typename }`, variables: { unused: `${i}${pad}` } }), TYPENAME);
    await expectStillServing(server, outcome, 4_000);
  });

  it('token-dense documents: 2,000 tokens in ~4 KB each, all distinct', { timeout: 150_000 }, async () => {
    const server = await startServer();
    const fields = 'a '.repeat(1_990);
    // Unknown fields: refused by validation, after the parse cache has kept the document.
    const refused: Answer = (body) => (body as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED';
    const outcome = await flood(server, (i) => ({ query: `query D${i} { ${fields} }` }), refused, 1_000);
    await expectStillServing(server, outcome, 1_000);
  });

  it('100 KB variables, 100 KB documents and APQ registrations in rotation', { timeout: 150_000 }, async () => {
    const server = await startServer();
    const bigPad = 'y'.repeat(95_000);
    const outcome = await flood(
      server,
      (i) => {
        if (i % 3 === 0) return { query: `query V${Math.floor(i / 300)} { __typename }`, variables: { unused: `${i}${bigPad}` } };
        const query = `# ${i} ${bigPad}\nquery P${i} { __typename }`;
        if (i % 3 === 1) return { query };
        return { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } };
      },
      TYPENAME,
      900,
    );
    await expectStillServing(server, outcome, 900);
  });
});
