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
  /** Page mode only while page × limit ≤ maxEnd; null = no cap. */
  readonly maxEnd?: number | null;
  /** Plans ending within this are preferred, others allowed (the live /models caps page mode at
   * 1000 rows, the 2022 API did not: the upstream itself says no past it). */
  readonly preferredEnd?: number | null;
}

/**
 * Fewest requests first, then fewest items fetched. Returns null when the range cannot be
 * served within `maxEnd`. An empty range needs no request.
 */
export function planPages(start: number, end: number, limits: PlanLimits): PagePlan | null {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0) throw new RangeError(`bad range [${start}, ${end})`);
  if (end <= start) return { limit: limits.maxLimit, pages: [] };
  type Candidate = { limit: number; first: number; count: number };
  const better = (a: Candidate, b: Candidate | null) => !b || a.count < b.count || (a.count === b.count && a.count * a.limit < b.count * b.limit);
  let best: Candidate | null = null;
  let bestPreferred: Candidate | null = null;
  for (let limit = 1; limit <= limits.maxLimit; limit++) {
    const first = Math.floor(start / limit);
    const last = Math.floor((end - 1) / limit);
    const candidate = { limit, first, count: last - first + 1 };
    const pageEnd = (last + 1) * limit;
    if (limits.maxEnd != null && pageEnd > limits.maxEnd) continue;
    if (better(candidate, best)) best = candidate;
    if ((limits.preferredEnd == null || pageEnd <= limits.preferredEnd) && better(candidate, bestPreferred)) bestPreferred = candidate;
  }
  best = bestPreferred ?? best;
  if (!best) return null;
  const chosen = best;
  return { limit: chosen.limit, pages: Array.from({ length: chosen.count }, (_, k) => chosen.first + k + 1) };
}

/** The absolute offset of the first item of `page` under `limit`. */
export function pageStart(page: number, limit: number): number {
  return (page - 1) * limit;
}
