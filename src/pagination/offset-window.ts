/**
 * Relay windows over a page-numbered upstream whose offsets are exact (/creators, /tags, and
 * /models in 2022 mode). The window plus one look-ahead item is fetched with the fewest pages.
 */
import type { RelayWindow } from './args.js';
import { decodeCursor } from './cursor.js';
import { PaginationInputError } from './errors.js';
import { pageStart, planPages, type PlanLimits } from './page-plan.js';
import { toWindowResult, type Positioned, type WindowResult } from './window.js';

export interface PageAnswer<T> {
  items: readonly T[];
  /** The list's size when the upstream reports it truthfully, else null. */
  total: number | null;
}

export interface OffsetSource<T> {
  limits: PlanLimits;
  fetchPage(page: number, limit: number): Promise<PageAnswer<T>>;
}

/** Every item of the fewest pages covering [start, end), and the offset where they begin. */
export async function fetchPagesCovering<T>(source: OffsetSource<T>, start: number, end: number): Promise<PageAnswer<T> & { from: number }> {
  const plan = planPages(start, end, source.limits);
  if (!plan) {
    throw new PaginationInputError(
      `The upstream serves numbered pages only up to item ${source.limits.maxEnd}; page from a cursor instead.`,
    );
  }
  const answers = await Promise.all(plan.pages.map((page) => source.fetchPage(page, plan.limit)));
  const firstPage = plan.pages[0];
  if (firstPage === undefined) return { items: [], total: null, from: start };
  return {
    items: answers.flatMap((a) => a.items),
    total: answers.find((a) => a.total !== null)?.total ?? null,
    from: pageStart(firstPage, plan.limit),
  };
}

/** Items at offsets [start, end) (fewer at the end of the list) and the total, if known. */
export async function fetchRange<T>(source: OffsetSource<T>, start: number, end: number): Promise<PageAnswer<T>> {
  const covering = await fetchPagesCovering(source, start, end);
  const skip = start - covering.from;
  return { items: covering.items.slice(skip, skip + (end - start)), total: covering.total };
}

export async function offsetWindow<T>(window: RelayWindow, scope: string, source: OffsetSource<T>): Promise<WindowResult<T>> {
  const at = (items: readonly T[], start: number): Positioned<T>[] =>
    items.map((node, k) => ({ node, position: { o: start + k } }));

  if (window.direction === 'forward') {
    const start = window.after === null ? 0 : decodeCursor(scope, window.after).o + 1;
    const { items, total } = await fetchRange(source, start, start + window.count + 1);
    return toWindowResult(scope, at(items.slice(0, window.count), start), {
      hasNextPage: items.length > window.count,
      hasPreviousPage: start > 0,
      totalCount: total,
    });
  }

  let end: number;
  let total: number | null = null;
  if (window.before !== null) {
    end = decodeCursor(scope, window.before).o;
  } else {
    total = (await source.fetchPage(1, 1)).total;
    if (total === null) {
      throw new PaginationInputError(
        '`last` without `before` needs the total count, which the upstream does not report for this list. Page forward with `first`, or pass `before`.',
      );
    }
    end = total;
  }
  const start = Math.max(0, end - window.count);
  const range = await fetchRange(source, start, end);
  return toWindowResult(scope, at(range.items, start), {
    hasNextPage: window.before !== null,
    hasPreviousPage: start > 0,
    totalCount: range.total ?? total,
  });
}
