import { describe, expect, it } from 'vitest';
import { driftAllowance, PAGINATION_POLICY, requestLimit } from '../../../src/pagination/policy.js';

describe('the pagination policy', () => {
  it('when a request is sized, then it covers the skipped rows, the window and at least the minimum spare, within the upstream cap', () => {
    for (const skip of [0, 1, 12, 60]) {
      for (const remaining of [0, 1, 7, 20, 100]) {
        for (const gathered of [0, 5]) {
          const limit = requestLimit({ skip, remaining, gathered }, 100);
          expect(limit).toBeLessThanOrEqual(100);
          expect(limit).toBeGreaterThanOrEqual(1);
          if (skip + remaining + PAGINATION_POLICY.spareRows.min <= 100) expect(limit).toBeGreaterThanOrEqual(skip + remaining + PAGINATION_POLICY.spareRows.min);
        }
      }
    }
  });

  it('when a window continues after a short response, then it asks a larger share of spare rows', () => {
    expect(requestLimit({ skip: 0, remaining: 40, gathered: 10 }, 100)).toBeGreaterThan(requestLimit({ skip: 0, remaining: 40, gathered: 0 }, 100));
  });

  it('when the drift allowance is asked, then it starts at the base and grows with the offset', () => {
    expect(driftAllowance(0)).toBe(PAGINATION_POLICY.drift.base);
    expect(driftAllowance(1000)).toBeGreaterThan(driftAllowance(100));
  });
});
