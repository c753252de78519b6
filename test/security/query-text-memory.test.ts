/**
 * Query text kept across requests is bounded in bytes, not only in entries: yoga's parse cache
 * (documents and parse errors, by query text) and the APQ store each kept ~1,000 queries of any
 * size, so 100 KB queries (a comment pads one to MAX_REQUEST_BYTES without adding a token) held
 * ~100 MB per cache, and a few thousand anonymous requests ended `npm start`'s 160 MB heap
 * ("Reached heap limit"; at a 64 MB heap, 180 requests did).
 */
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect } from 'vitest';
import { test } from '../helpers/stack.js';

const it = test;

/** A distinct query of ~96 KB: a comment, then `tail`. */
const padded = (tag: string, tail: string) => `# ${tag} ${'x'.repeat(96_000)}\n${tail}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('query text kept across requests', () => {
  it('the APQ store forgets the oldest queries once it holds its bytes, whatever its entry count', async ({ stack }) => {
    const first = padded('first', '{ __typename }');
    const hash = sha256(first);
    const register = await post(stack.url, { query: first, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(register.status).toBe(200);
    expect(await register.json()).toEqual({ data: { __typename: 'Query' } });
    // 60 more queries of ~96 KB: far fewer than 1,000 entries, far more than a few MB of text.
    for (let i = 0; i < 60; i++) {
      const query = padded(`other-${i}`, '{ __typename }');
      const response = await post(stack.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    const hashOnly = await post(stack.url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(hashOnly.status).toBe(404);
    expect(await hashOnly.json()).toEqual({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
  });

  it('300 distinct 96 KB queries, valid and not, leave the heap within a few MB', async ({ stack }) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heapUsed = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = heapUsed();
    for (let i = 0; i < 300; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, k) => {
          const n = i + k;
          // Half parse, half are syntax errors (kept by the parse-error cache).
          const response = await post(stack.url, { query: padded(`q-${n}`, n % 2 ? '{ __typename }' : '{ __typename ') });
          expect(response.status).toBe(200);
          await response.arrayBuffer();
        }),
      );
    }
    // 300 × ~96 KB = ~29 MB of query text (58 MB as V8 may hold it); the caches keep at most 10 MB.
    expect((heapUsed() - before) / 2 ** 20).toBeLessThan(16);
    // Bounded by its request count; a loaded machine parses 29 MB of text slowly.
  }, 90_000);
});
