import { describe, expect, it } from 'vitest';
import { maxCallsForWindow, OUT_OF_RANGE, WindowCalls } from '../../../src/pagination/bounds.js';
import { PaginationInputError } from '../../../src/pagination/errors.js';
import { fetchPagesCovering, type PageSource } from '../../../src/pagination/page-plan.js';

describe('maxCallsForWindow', () => {
  it('when a window is empty, then it allows no call', () => {
    expect(maxCallsForWindow(0, 100)).toBe(0);
  });

  it('when a window and its look-ahead fit pages of the cap, then it allows those pages, a straddle and a backward extra', () => {
    expect([1, 20, 99, 100, 199, 200].map((n) => maxCallsForWindow(n, 100))).toEqual([3, 3, 3, 4, 4, 5]);
    expect(maxCallsForWindow(100, 200)).toBe(3);
  });

  it('when the page cap is not a positive integer, then it refuses to guess', () => {
    expect(() => maxCallsForWindow(5, 0)).toThrow(RangeError);
  });
});

describe('WindowCalls', () => {
  it('when calls are taken, then they come off maxCallsForWindow; more than are left is refused and takes none', () => {
    const calls = new WindowCalls(20, 100);
    expect(calls.left).toBe(maxCallsForWindow(20, 100));
    calls.take(2);
    expect(calls.left).toBe(1);
    expect(() => calls.take(2)).toThrow(PaginationInputError);
    expect(() => calls.take(2)).toThrow(OUT_OF_RANGE);
    expect(calls.left).toBe(1);
    calls.take(1);
    expect(() => calls.take(1)).toThrow(PaginationInputError);
  });
});

describe('fetchPagesCovering within a window’s calls', () => {
  const source = () => {
    const asked: Array<[number, number]> = [];
    const src: PageSource<number> = {
      limits: { maxLimit: 10, maxEnd: null },
      fetchPage: async (page, limit) => {
        asked.push([page, limit]);
        return { items: Array.from({ length: limit }, (_, k) => (page - 1) * limit + k), total: null };
      },
    };
    return { src, asked };
  };

  it('when a plan needs more calls than are left, then it is refused before any call', async () => {
    const { src, asked } = source();
    await expect(fetchPagesCovering(src, 0, 100, new WindowCalls(1, 10))).rejects.toBeInstanceOf(PaginationInputError);
    expect(asked).toEqual([]);
  });

  it('when a range may shrink to a minimum end, then it shrinks to the calls left, never below that end', async () => {
    const { src, asked } = source();
    const calls = new WindowCalls(1, 10); // 3 calls
    const got = await fetchPagesCovering(src, 5, 500, calls, 12);
    expect(asked).toHaveLength(3);
    expect(got.from).toBe(0);
    expect(got.items.length).toBeGreaterThanOrEqual(12);
    expect(calls.left).toBe(0);
    // Not even the minimum fits: refused, no call.
    const again = source();
    await expect(fetchPagesCovering(again.src, 5, 500, new WindowCalls(1, 10), 60)).rejects.toBeInstanceOf(PaginationInputError);
    expect(again.asked).toEqual([]);
  });
});
