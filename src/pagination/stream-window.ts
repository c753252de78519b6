/**
 * Relay windows over a cursor-paged upstream (/models). Forward paging follows the upstream's
 * own cursors: every edge remembers the upstream cursor of the response it came from and its
 * index there (or the cursor that starts right after it), so `after` is one request. Pages may
 * be short while a next cursor exists (the live API drops rows after applying the limit): only
 * a missing next cursor ends the list. Backward paging reuses the response anchor when it
 * reaches far enough, otherwise finds the edge again by key through numbered pages.
 */
import type { RelayWindow } from './args.js';
import { decodeCursor, type Position } from './cursor.js';
import { PaginationInputError } from './errors.js';
import { fetchPagesCovering, fetchRange, type OffsetSource } from './offset-window.js';
import { toWindowResult, type Positioned, type WindowResult } from './window.js';

export interface StreamAnswer<T> {
  items: readonly T[];
  /** The upstream cursor of the item after this response; absent at the end. */
  nextCursor: string | undefined;
  /** A page-numbered upstream without cursors says "more" through nextPage or totals. */
  more: boolean;
  total: number | null;
}

export interface StreamSource<T> {
  maxLimit: number;
  /** A response starting at the upstream cursor (null: the list start). */
  fetchFrom(cursor: string | null, limit: number): Promise<StreamAnswer<T>>;
  /** Numbered pages over the same order, when the upstream allows them for this list. */
  pages: (OffsetSource<T> & { fetchPage(page: number, limit: number): Promise<StreamAnswer<T>> }) | null;
  keyOf(item: T): string | number;
}

/** Spare rows asked for beyond the window (more after a short page). */
const MIN_SLACK = 3;

interface Walk<T> {
  entries: Positioned<T>[];
  hasNext: boolean;
  total: number | null;
}

interface Start {
  /** Upstream cursor to start from (null: the list start); undefined: offsets only. */
  anchor: string | null | undefined;
  skip: number;
  /** Offset of the first item to return. */
  o: number;
  /** Key of the item just before the start, to find it again by offset. */
  previousKey?: string | number | undefined;
}

function startAfter(p: Position): Start {
  if (p.n !== undefined) return { anchor: p.n, skip: 0, o: p.o + 1 };
  if (p.a !== undefined && p.d !== undefined) return { anchor: p.a, skip: p.d + 1, o: p.o + 1 };
  return { anchor: undefined, skip: 0, o: p.o + 1, previousKey: p.i };
}

/** How far an item's page-mode offset may lie past its counted offset: numbered pages count
 * the rows the upstream drops from its answers, counted offsets do not. */
function drift(o: number): number {
  return 10 + Math.ceil(o * 0.15);
}

async function walkForward<T>(source: StreamSource<T>, start: Start, need: number): Promise<Walk<T>> {
  if (start.anchor === undefined) return offsetForward(source, start, need);
  const entries: Positioned<T>[] = [];
  let cursor: string | null = start.anchor;
  let skip = start.skip;
  let o = start.o;
  let total: number | null = null;
  for (;;) {
    // Ask for some spare rows: the upstream drops rows after applying the limit, and a short
    // page would cost another round trip. Windows then end inside a response and the next one
    // re-reads from the same anchor; once that reaches the 100-row cap the request is exact,
    // the window ends on the response's end, and the chain moves on to its next cursor.
    const remaining = need - entries.length;
    const slack = MIN_SLACK + Math.ceil(remaining / (entries.length > 0 ? 4 : 10));
    const limit = Math.min(source.maxLimit, Math.max(1, skip + remaining + slack));
    const answer = await source.fetchFrom(cursor, limit);
    total ??= answer.total;
    for (let j = skip; j < answer.items.length; j++) {
      if (entries.length >= need) return { entries, hasNext: true, total };
      const node = answer.items[j] as T;
      entries.push({ node, position: { o: o++, a: cursor, d: j, i: source.keyOf(node) } });
    }
    skip = Math.max(0, skip - answer.items.length);
    const last = entries.at(-1);
    if (answer.nextCursor !== undefined) {
      if (last && answer.items.length > 0 && last.node === answer.items.at(-1)) {
        last.position = { ...last.position, n: answer.nextCursor };
      }
      if (entries.length >= need) return { entries, hasNext: true, total };
      cursor = answer.nextCursor;
      continue;
    }
    if (answer.more && source.pages && entries.length < need) {
      const rest = await offsetForward(source, { anchor: undefined, skip: 0, o }, need - entries.length);
      return { entries: entries.concat(rest.entries), hasNext: rest.hasNext, total: total ?? rest.total };
    }
    return { entries, hasNext: answer.more, total };
  }
}

/** Forward by numbered pages; when the previous item's key is known, find it first. */
async function offsetForward<T>(source: StreamSource<T>, start: Start, need: number): Promise<Walk<T>> {
  if (!source.pages) {
    throw new PaginationInputError('This cursor can no longer be continued: start again without `after`.');
  }
  const key = start.previousKey;
  let items: readonly T[];
  let range: { total: number | null };
  if (key === undefined) {
    const exact = await fetchRange(source.pages, start.o, start.o + need + 1);
    range = exact;
    items = exact.items;
  } else {
    const covering = await fetchPagesCovering(source.pages, Math.max(0, start.o - 1), start.o + need + 1 + drift(start.o));
    range = covering;
    const index = covering.items.findIndex((item) => source.keyOf(item) === key);
    if (index < 0) throw new PaginationInputError('The cursor\u2019s item is no longer in the list: start again without `after`.');
    items = covering.items.slice(index + 1);
  }
  const entries = items.slice(0, need).map((node, k) => ({ node, position: { o: start.o + k, i: source.keyOf(node) } }));
  return { entries, hasNext: items.length > need, total: range.total };
}

async function backward<T>(source: StreamSource<T>, scope: string, window: RelayWindow & { direction: 'backward' }): Promise<WindowResult<T>> {
  const count = window.count;
  if (window.before === null) {
    const probe = await source.fetchFrom(null, 1);
    if (probe.total === null || !source.pages) {
      throw new PaginationInputError(
        '`last` without `before` needs the total count, which the upstream does not report for this list. Page forward with `first`, or pass `before`.',
      );
    }
    const start = Math.max(0, probe.total - count);
    const range = await fetchRange(source.pages, start, probe.total);
    const entries = range.items.map((node, k) => ({ node, position: { o: start + k, i: source.keyOf(node) } }));
    return toWindowResult(scope, entries, { hasNextPage: false, hasPreviousPage: start > 0, totalCount: range.total ?? probe.total });
  }

  const p = decodeCursor(scope, window.before);
  if (p.a !== undefined && p.d !== undefined && (p.a === null || p.d >= count)) {
    // Everything needed lies between the response anchor and the edge: one request.
    const skip = Math.max(0, p.d - count);
    const take = p.d - skip;
    const walk = take > 0 ? await walkForward(source, { anchor: p.a, skip, o: p.o - take }, take) : { entries: [], total: null };
    return toWindowResult(scope, walk.entries, {
      hasNextPage: true,
      hasPreviousPage: p.a !== null || skip > 0,
      totalCount: walk.total,
    });
  }
  if (!source.pages || p.i === undefined) {
    throw new PaginationInputError(
      'Paging backward past this point is not possible: the upstream pages this list forward only (cursor mode). Use `first`/`after`, or start again.',
    );
  }
  // Numbered pages, then find the edge by key: its page-mode offset may sit past its count.
  // The drift allowance stops at the page-mode cap when the edge's count lies within it: pages
  // past it would be refused (live API) although the edge and everything before it may be there.
  const cap = source.pages.limits.preferredEnd ?? source.pages.limits.maxEnd ?? Infinity;
  const range = await fetchPagesCovering(source.pages, Math.max(0, p.o - count), Math.min(p.o + 1 + drift(p.o), Math.max(p.o + 1, cap)));
  const index = range.items.findIndex((item) => source.keyOf(item) === p.i);
  if (index < 0 || (index < count && range.from > 0)) {
    throw new PaginationInputError('The cursor\u2019s item is no longer where it was in the list: start again without `before`.');
  }
  const begin = Math.max(0, index - count);
  const entries = range.items
    .slice(begin, index)
    .map((node, k) => ({ node, position: { o: Math.max(0, p.o - (index - begin)) + k, i: source.keyOf(node) } }));
  return toWindowResult(scope, entries, { hasNextPage: true, hasPreviousPage: range.from + begin > 0, totalCount: range.total });
}

export async function streamWindow<T>(window: RelayWindow, scope: string, source: StreamSource<T>): Promise<WindowResult<T>> {
  if (window.direction === 'backward') return backward(source, scope, window);
  const start: Start = window.after === null ? { anchor: null, skip: 0, o: 0 } : startAfter(decodeCursor(scope, window.after));
  const walk = await walkForward(source, start, window.count);
  return toWindowResult(scope, walk.entries, {
    hasNextPage: walk.hasNext,
    hasPreviousPage: start.o > 0,
    totalCount: walk.total,
  });
}
