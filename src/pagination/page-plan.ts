/**
 * Page planning for page-numbered upstreams: the fewest `(page, limit)` requests that cover the
 * half-open range [start, end) of a list (`planPages`, pure), and the fetching of those pages
 * through an injected `PageSource` (the one place both window kinds read numbered pages), each
 * plan taken from the window's call allowance before any of its calls is made.
 */
import type { WindowCalls } from './bounds.js';
import { PaginationInputError } from './errors.js';

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

export interface PageAnswer<T> {
  items: readonly T[];
  /** The list's size when the upstream reports it truthfully, else null. */
  total: number | null;
  /** Items the upstream sent that could not be read (no identity), left out of `items`. */
  leftOut?: number;
}

/** A page-numbered upstream, injected by the caller. */
export interface PageSource<T> {
  limits: PlanLimits;
  fetchPage(page: number, limit: number): Promise<PageAnswer<T>>;
}

/**
 * Every item of the fewest pages covering [start, end), and the offset where they begin. When
 * that plan needs more calls than the window has left, the range may shrink down to
 * [start, minEnd) (a search allowance, never the window itself); a plan that still does not fit
 * is refused before any of its calls.
 */
export async function fetchPagesCovering<T>(
  source: PageSource<T>,
  start: number,
  end: number,
  calls: WindowCalls,
  minEnd: number = end,
): Promise<PageAnswer<T> & { from: number }> {
  let plan = planPages(start, end, source.limits);
  if (minEnd < end && (plan === null || plan.pages.length > calls.left)) {
    // With the largest limit, pages floor(start / L) … floor((e - 1) / L) cover [start, e).
    const L = source.limits.maxLimit;
    const fits = (Math.floor(start / L) + calls.left) * L;
    plan = planPages(start, Math.max(minEnd, Math.min(end, fits)), source.limits);
  }
  if (!plan) {
    throw new PaginationInputError(
      `The upstream serves numbered pages only up to item ${source.limits.maxEnd}; page from a cursor instead.`,
    );
  }
  calls.take(plan.pages.length);
  const chosen = plan;
  const answers = await Promise.all(chosen.pages.map((page) => source.fetchPage(page, chosen.limit)));
  const firstPage = chosen.pages[0];
  if (firstPage === undefined) return { items: [], total: null, from: start };
  return {
    items: answers.flatMap((a) => a.items),
    total: answers.find((a) => a.total !== null)?.total ?? null,
    from: pageStart(firstPage, chosen.limit),
  };
}

/** Items at offsets [start, end) (fewer at the end of the list) and the total, if known. */
export async function fetchRange<T>(source: PageSource<T>, start: number, end: number, calls: WindowCalls): Promise<PageAnswer<T>> {
  const covering = await fetchPagesCovering(source, start, end, calls);
  const skip = start - covering.from;
  return { items: covering.items.slice(skip, skip + (end - start)), total: covering.total };
}

/**
 * The last `count` items (`last` without `before`): `probeTotal` (one call) asks the upstream for
 * the list's size, then the tail is read through numbered pages. Refused when either is missing.
 */
export async function fetchTail<T>(
  source: PageSource<T> | null,
  count: number,
  probeTotal: () => Promise<number | null>,
  calls: WindowCalls,
): Promise<{ items: readonly T[]; start: number; total: number }> {
  calls.take(1);
  const total = await probeTotal();
  if (total === null || !source) {
    throw new PaginationInputError(
      '`last` without `before` needs the total count, which the upstream does not report for this list. Page forward with `first`, or pass `before`.',
    );
  }
  const start = Math.max(0, total - count);
  const range = await fetchRange(source, start, total, calls);
  return { items: range.items, start, total: range.total ?? total };
}
