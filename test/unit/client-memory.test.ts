/**
 * The split of CLIENT_MEMORY_BYTES and the size estimates its caches count (bounded-caches.ts).
 */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { byteBoundedCache, CLIENT_MEMORY_SHARES, clientMemory, documentBytes } from '../../src/plugins/bounded-caches.js';

describe('the client memory budget', () => {
  it('splits the budget into shares that sum to it, never more', () => {
    expect(Object.values(CLIENT_MEMORY_SHARES).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    const total = 32 * 2 ** 20;
    const shares = clientMemory(total);
    expect(Object.keys(shares).sort()).toEqual(Object.keys(CLIENT_MEMORY_SHARES).sort());
    expect(Object.values(shares).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(total);
    expect(shares.documents).toBe(Math.floor(total * CLIENT_MEMORY_SHARES.documents));
  });

  it('counts a parsed document by its tokens, not its text: 2,000 tokens in 4 KB weigh about 1 MB', () => {
    const dense = `{ ${'a '.repeat(1_990)} }`;
    const padded = `# ${'x'.repeat(96_000)}\n{ a }`;
    expect(documentBytes(dense, parse(dense))).toBeGreaterThan(1_000_000);
    // One comment token: the text dominates.
    const paddedBytes = documentBytes(padded, parse(padded));
    expect(paddedBytes).toBeGreaterThan(2 * 96_000);
    expect(paddedBytes).toBeLessThan(2 * 96_000 + 10_000);
    // Without locations every character may be a token.
    expect(documentBytes(dense, parse(dense, { noLocation: true }))).toBeGreaterThan(dense.length * 500);
  });

  it('a byte-bounded cache keeps the newest entries within its bytes, whatever their number, and never one over a quarter', () => {
    const cache = byteBoundedCache<string>(10_000, (value, key) => 2 * (value.length + key.length));
    for (let i = 0; i < 1_000; i++) cache.set(`k${i}`, 'v'.repeat(100));
    expect(cache.calculatedSize).toBeLessThanOrEqual(10_000);
    expect(cache.has('k999')).toBe(true);
    expect(cache.has('k0')).toBe(false);
    cache.set('big', 'v'.repeat(1_300));
    expect(cache.has('big')).toBe(false);
  });
});
