import { describe, expect, it } from 'vitest';
import { pageStart, planPages, type PagePlan, type PlanLimits } from '../../../src/pagination/page-plan.js';

interface Optimum {
  requests: number;
  items: number;
}

/**
 * Brute force, written independently of the implementation: for every limit, list the pages a
 * client would have to ask for (page p covers [(p-1)·limit, p·limit)), then keep the fewest
 * requests, then the fewest items fetched. `cap` drops plans whose last page ends past it.
 */
function bruteForce(start: number, end: number, maxLimit: number, cap: number | null): Optimum | null {
  let top: Optimum | null = null;
  for (let limit = 1; limit <= maxLimit; limit++) {
    const pages: number[] = [];
    for (let page = 1; (page - 1) * limit < end; page++) {
      if (page * limit > start) pages.push(page);
    }
    const lastEnd = (pages.at(-1) ?? 0) * limit;
    if (cap !== null && lastEnd > cap) continue;
    const candidate = { requests: pages.length, items: pages.length * limit };
    if (!top || candidate.requests < top.requests || (candidate.requests === top.requests && candidate.items < top.items)) top = candidate;
  }
  return top;
}

/** (a) consecutive 1-based pages, (b) covering [start, end), (e) within maxEnd. */
function expectValid(plan: PagePlan, start: number, end: number, limits: PlanLimits) {
  expect(Number.isInteger(plan.limit)).toBe(true);
  expect(plan.limit).toBeGreaterThanOrEqual(1);
  expect(plan.limit).toBeLessThanOrEqual(limits.maxLimit);
  const first = plan.pages[0];
  const last = plan.pages.at(-1);
  if (first === undefined || last === undefined) throw new Error(`no pages for [${start}, ${end})`);
  expect(first).toBeGreaterThanOrEqual(1);
  expect(plan.pages).toEqual(Array.from({ length: plan.pages.length }, (_, k) => first + k));
  expect(pageStart(first, plan.limit)).toBeLessThanOrEqual(start);
  expect(last * plan.limit).toBeGreaterThanOrEqual(end);
  // No wasted page: the first page holds `start`, the last holds `end - 1`.
  expect(first * plan.limit).toBeGreaterThan(start);
  expect(pageStart(last, plan.limit)).toBeLessThan(end);
  if (limits.maxEnd != null) expect(last * plan.limit).toBeLessThanOrEqual(limits.maxEnd);
}

function checkRange(start: number, end: number, limits: PlanLimits) {
  const plan = planPages(start, end, limits);
  if (end <= start) {
    // (c) an empty range needs no request at all.
    expect(plan?.pages).toEqual([]);
    return;
  }
  const optimum = bruteForce(start, end, limits.maxLimit, limits.maxEnd ?? null);
  if (!optimum) {
    expect(plan, `[${start}, ${end}) has no plan within ${limits.maxEnd}`).toBeNull();
    return;
  }
  expect(plan, `[${start}, ${end}) can be planned`).not.toBeNull();
  if (!plan) return;
  expectValid(plan, start, end, limits);
  // (c) fewest requests, (d) then fewest items.
  expect({ range: [start, end], requests: plan.pages.length, items: plan.pages.length * plan.limit }).toEqual({
    range: [start, end],
    ...optimum,
  });
}

describe('planPages', () => {
  for (const maxLimit of [7, 10, 100, 200]) {
    for (const maxEnd of [null, 1000]) {
      it(`when every [start, end) with start ≤ 60 and end ≤ start + 60 is planned (maxLimit ${maxLimit}, maxEnd ${maxEnd}), then the plan is valid and optimal`, () => {
        for (let start = 0; start <= 60; start++) {
          for (let end = start; end <= start + 60; end++) checkRange(start, end, { maxLimit, maxEnd });
        }
      });
    }

    it(`when ranges near the 1000-row cap are planned (maxLimit ${maxLimit}), then no page ends past it, and null only when nothing fits`, () => {
      let nulls = 0;
      let plans = 0;
      for (let start = 930; start <= 1010; start++) {
        for (let end = start; end <= start + 60; end++) {
          checkRange(start, end, { maxLimit, maxEnd: 1000 });
          const plan = planPages(start, end, { maxLimit, maxEnd: 1000 });
          if (plan === null) nulls++;
          else plans++;
        }
      }
      expect(nulls).toBeGreaterThan(0);
      expect(plans).toBeGreaterThan(0);
    });
  }

  it('when 7 items follow the 12th plus one look-ahead (offsets 12..19, range [12, 20)), then ONE request serves them', () => {
    const plan = planPages(12, 20, { maxLimit: 200 });
    expect(plan?.pages).toHaveLength(1);
    // The smallest single page holding 12..19 is page 2 of 10 (offsets 10..19).
    expect(plan).toEqual({ limit: 10, pages: [2] });
    expect(planPages(12, 20, { maxLimit: 100, maxEnd: 1000 })).toEqual({ limit: 10, pages: [2] });
  });

  it('when concrete ranges are planned, then the answers are the known optima', () => {
    expect(planPages(0, 21, { maxLimit: 200 })).toEqual({ limit: 21, pages: [1] });
    expect(planPages(0, 1, { maxLimit: 200 })).toEqual({ limit: 1, pages: [1] });
    expect(planPages(5, 6, { maxLimit: 200 })).toEqual({ limit: 1, pages: [6] });
    // 150 items from 0 with at most 100 a page: two requests of 75.
    expect(planPages(0, 150, { maxLimit: 100 })).toEqual({ limit: 75, pages: [1, 2] });
    expect(planPages(995, 1000, { maxLimit: 100, maxEnd: 1000 })).toEqual({ limit: 5, pages: [200] });
    expect(planPages(995, 1001, { maxLimit: 100, maxEnd: 1000 })).toBeNull();
    expect(planPages(1000, 1001, { maxLimit: 100, maxEnd: 1000 })).toBeNull();
    expect(planPages(1000, 1001, { maxLimit: 100 })).toEqual({ limit: 1, pages: [1001] });
  });

  it('when a cap is only preferred, then plans within it win and ranges past it still get the overall optimum', () => {
    for (let start = 900; start <= 1000; start += 3) {
      for (let end = start + 1; end <= start + 80; end += 2) {
        const plan = planPages(start, end, { maxLimit: 100, preferredEnd: 1000 });
        if (!plan) throw new Error(`no plan for [${start}, ${end})`);
        expectValid(plan, start, end, { maxLimit: 100 });
        const within = bruteForce(start, end, 100, 1000);
        const overall = bruteForce(start, end, 100, null);
        expect({ requests: plan.pages.length, items: plan.pages.length * plan.limit }).toEqual(within ?? overall);
        if (within) expect((plan.pages.at(-1) ?? 0) * plan.limit).toBeLessThanOrEqual(1000);
      }
    }
  });

  it('when the range is empty or malformed, then no request, or a RangeError', () => {
    expect(planPages(5, 5, { maxLimit: 10 })?.pages).toEqual([]);
    expect(planPages(5, 3, { maxLimit: 10 })?.pages).toEqual([]);
    expect(() => planPages(-1, 3, { maxLimit: 10 })).toThrow(RangeError);
    expect(() => planPages(0.5, 3, { maxLimit: 10 })).toThrow(RangeError);
    expect(() => planPages(0, Number.NaN, { maxLimit: 10 })).toThrow(RangeError);
  });

  it('pageStart is the offset of a page’s first item', () => {
    expect(pageStart(1, 10)).toBe(0);
    expect(pageStart(2, 10)).toBe(10);
    expect(pageStart(7, 3)).toBe(18);
  });
});
