import { describe, expect, it } from 'vitest';
import { maxCallsForWindow } from '../../../src/pagination/bounds.js';

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
