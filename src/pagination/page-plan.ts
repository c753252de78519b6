/**
 * Page planning for page-numbered upstreams: the fewest `(page, limit)` requests that cover the
 * half-open range [start, end) of a list. Pure.
 */

export interface PagePlan {
  readonly limit: number;
  /** 1-based page numbers, consecutive. */
  readonly pages: readonly number[];
}

export interface PlanLimits {
  /** Largest `limit` the upstream accepts. */
  readonly maxLimit: number;
  /** Page mode only while page × limit ≤ maxEnd (the live /models allows 1000); null = no cap. */
  readonly maxEnd?: number | null;
}

/**
 * Fewest requests first, then fewest items fetched. Returns null when the range cannot be
 * served within `maxEnd`. An empty range needs no request.
 */
export function planPages(start: number, end: number, limits: PlanLimits): PagePlan | null {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0) throw new RangeError(`bad range [${start}, ${end})`);
  if (end <= start) return { limit: limits.maxLimit, pages: [] };
  let best: { limit: number; first: number; count: number } | null = null;
  for (let limit = 1; limit <= limits.maxLimit; limit++) {
    const first = Math.floor(start / limit);
    const last = Math.floor((end - 1) / limit);
    const count = last - first + 1;
    if (limits.maxEnd != null && (last + 1) * limit > limits.maxEnd) continue;
    if (!best || count < best.count || (count === best.count && count * limit < best.count * best.limit)) {
      best = { limit, first, count };
    }
  }
  if (!best) return null;
  return { limit: best.limit, pages: Array.from({ length: best.count }, (_, k) => best.first + k + 1) };
}

/** The absolute offset of the first item of `page` under `limit`. */
export function pageStart(page: number, limit: number): number {
  return (page - 1) * limit;
}
