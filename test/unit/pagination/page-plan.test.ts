import { describe, expect, it } from 'vitest';
import { planPages } from '../../../src/pagination/page-plan.js';

/** Brute force: the fewest requests, then the fewest items, over every limit. */
function best(start: number, end: number, maxLimit: number, maxEnd: number | null) {
  let top: { count: number; items: number } | null = null;
  for (let limit = 1; limit <= maxLimit; limit++) {
    const first = Math.floor(start / limit);
    const last = Math.floor((end - 1) / limit);
    if (maxEnd !== null && (last + 1) * limit > maxEnd) continue;
    const count = last - first + 1;
    if (!top || count < top.count || (count === top.count && count * limit < top.items)) top = { count, items: count * limit };
  }
  return top;
}

describe('planPages', () => {
  for (const maxLimit of [7, 10, 100]) {
    it(`when every range [start, end) with start ≤ 60 and length ≤ 60 is planned with maxLimit ${maxLimit}, then it is covered with the fewest requests, then items`, () => {
      for (let start = 0; start <= 60; start++) {
        for (let end = start + 1; end <= start + 60; end++) {
          const plan = planPages(start, end, { maxLimit });
          expect(plan).not.toBeNull();
          if (!plan) continue;
          const firstPage = plan.pages[0] as number;
          const lastPage = plan.pages.at(-1) as number;
          expect(plan.pages).toEqual(Array.from({ length: plan.pages.length }, (_, k) => firstPage + k));
          expect((firstPage - 1) * plan.limit).toBeLessThanOrEqual(start);
          expect(lastPage * plan.limit).toBeGreaterThanOrEqual(end);
          const optimum = best(start, end, maxLimit, null);
          expect([plan.pages.length, plan.pages.length * plan.limit]).toEqual([optimum?.count, optimum?.items]);
        }
      }
    });
  }

  it('when 7 items follow the 12th plus one look-ahead (offsets 12..19), then one request serves them', () => {
    expect(planPages(12, 20, { maxLimit: 200 })).toEqual({ limit: 10, pages: [2] });
  });

  it('when ranges near a hard cap of 1000 rows are planned, then no page ends past it, or there is no plan', () => {
    for (let start = 940; start <= 1000; start++) {
      for (let end = start + 1; end <= 1010; end++) {
        const plan = planPages(start, end, { maxLimit: 100, maxEnd: 1000 });
        const optimum = best(start, end, 100, 1000);
        if (!optimum) expect(plan).toBeNull();
        else expect(((plan?.pages.at(-1) ?? 0) * (plan?.limit ?? 0))).toBeLessThanOrEqual(1000);
      }
    }
  });

  it('when a cap is only preferred, then plans within it win and ranges past it still get a plan', () => {
    const within = planPages(980, 995, { maxLimit: 100, preferredEnd: 1000 });
    expect(((within?.pages.at(-1) ?? 0) * (within?.limit ?? 0))).toBeLessThanOrEqual(1000);
    expect(planPages(995, 1010, { maxLimit: 100, preferredEnd: 1000 })).not.toBeNull();
  });

  it('when the range is empty, then no request is planned', () => {
    expect(planPages(5, 5, { maxLimit: 10 })?.pages).toEqual([]);
  });
});
