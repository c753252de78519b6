/**
 * Relay windows over a cursor-paged upstream (/models). Forward paging follows the upstream's
 * own cursors: every edge remembers the upstream cursor of the response it came from and its
 * index there (or the cursor that starts right after it), so `after` is one request. Pages may
 * be short while a next cursor exists (the live API drops rows after applying the limit): only
 * a missing next cursor ends the list. Backward paging reuses the response anchor when it
 * reaches far enough, otherwise finds the edge again by key through numbered pages.
 */
import type { RelayWindow } from './args.js';
import { decodeCursor, type ItemKey, type Position } from './cursor.js';
import { PaginationInputError } from './errors.js';
import { fetchPagesCovering, fetchRange, fetchTail, type PageSource } from './page-plan.js';
import { driftAllowance, requestLimit } from './policy.js';
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
  pages: (PageSource<T> & { fetchPage(page: number, limit: number): Promise<StreamAnswer<T>> }) | null;
  keyOf(item: T): ItemKey;
}

interface Walk<T> {
  entries: Positioned<T>[];
  hasNext: boolean;
  total: number | null;
}

/** Where a forward walk starts; `o` is the offset of the first item to return. */
type Start =
  /** Inside an upstream response: its cursor (null: the list start) and the rows to skip. */
  | { readonly kind: 'anchored'; readonly anchor: string | null; readonly skip: number; readonly o: number }
  /** By offset through numbered pages; the key of the item just before, to find it again. */
  | { readonly kind: 'offset'; readonly o: number; readonly previousKey?: ItemKey | undefined };

function startAfter(p: Position): Start {
  if (p.kind === 'offset') return { kind: 'offset', o: p.offset + 1, previousKey: p.key };
  if (p.next !== undefined) return { kind: 'anchored', anchor: p.next, skip: 0, o: p.offset + 1 };
  return { kind: 'anchored', anchor: p.anchor, skip: p.index + 1, o: p.offset + 1 };
}

async function walkForward<T>(source: StreamSource<T>, start: Start, need: number): Promise<Walk<T>> {
  if (start.kind === 'offset') return offsetForward(source, start, need);
  const entries: Positioned<T>[] = [];
  let cursor: string | null = start.anchor;
  let skip = start.skip;
  let o = start.o;
  let total: number | null = null;
  for (;;) {
    // Ask for some spare rows (PAGINATION_POLICY.spareRows): the upstream drops rows after
    // applying the limit, and a short page would cost another round trip. Windows then end
    // inside a response and the next one re-reads from the same anchor; once that reaches the
    // 100-row cap the request is exact, the window ends on the response's end, and the chain
    // moves on to its next cursor.
    const limit = requestLimit({ skip, remaining: need - entries.length, gathered: entries.length }, source.maxLimit);
    const answer = await source.fetchFrom(cursor, limit);
    total ??= answer.total;
    for (let j = skip; j < answer.items.length; j++) {
      if (entries.length >= need) return { entries, hasNext: true, total };
      const node = answer.items[j] as T;
      entries.push({ node, position: { kind: 'anchored', offset: o++, anchor: cursor, index: j, key: source.keyOf(node) } });
    }
    skip = Math.max(0, skip - answer.items.length);
    const last = entries.at(-1);
    if (answer.nextCursor !== undefined) {
      if (last?.position.kind === 'anchored' && answer.items.length > 0 && last.node === answer.items.at(-1)) {
        last.position = { ...last.position, next: answer.nextCursor };
      }
      if (entries.length >= need) return { entries, hasNext: true, total };
      cursor = answer.nextCursor;
      continue;
    }
    if (answer.more && source.pages && entries.length < need) {
      const rest = await offsetForward(source, { kind: 'offset', o }, need - entries.length);
      return { entries: entries.concat(rest.entries), hasNext: rest.hasNext, total: total ?? rest.total };
    }
    return { entries, hasNext: answer.more, total };
  }
}

const keyed = <T>(source: StreamSource<T>, items: readonly T[], from: number): Positioned<T>[] =>
  items.map((node, k) => ({ node, position: { kind: 'offset', offset: from + k, key: source.keyOf(node) } }));

async function offsetForward<T>(source: StreamSource<T>, start: Start & { kind: 'offset' }, need: number): Promise<Walk<T>> {
  if (!source.pages) {
    throw new PaginationInputError('This cursor can no longer be continued: start again without `after`.');
  }
  const key = start.previousKey;
  let items: readonly T[];
  let total: number | null;
  if (key === undefined) {
    ({ items, total } = await fetchRange(source.pages, start.o, start.o + need + 1));
  } else {
    const covering = await fetchPagesCovering(source.pages, Math.max(0, start.o - 1), start.o + need + 1 + driftAllowance(start.o));
    total = covering.total;
    const index = covering.items.findIndex((item) => source.keyOf(item) === key);
    if (index < 0) throw new PaginationInputError('The cursor\u2019s item is no longer in the list: start again without `after`.');
    items = covering.items.slice(index + 1);
  }
  return { entries: keyed(source, items.slice(0, need), start.o), hasNext: items.length > need, total };
}

async function backward<T>(source: StreamSource<T>, scope: string, window: RelayWindow & { direction: 'backward' }): Promise<WindowResult<T>> {
  const count = window.count;
  if (window.before === null) {
    const tail = await fetchTail(source.pages, count, async () => (await source.fetchFrom(null, 1)).total);
    return toWindowResult(scope, keyed(source, tail.items, tail.start), { hasNextPage: false, hasPreviousPage: tail.start > 0, totalCount: tail.total });
  }

  const p = decodeCursor(scope, window.before);
  if (p.kind === 'anchored' && (p.anchor === null || p.index >= count)) {
    // Everything needed lies between the response anchor and the edge: one request.
    const skip = Math.max(0, p.index - count);
    const take = p.index - skip;
    const walk = take > 0 ? await walkForward(source, { kind: 'anchored', anchor: p.anchor, skip, o: p.offset - take }, take) : { entries: [], total: null };
    return toWindowResult(scope, walk.entries, {
      hasNextPage: true,
      hasPreviousPage: p.anchor !== null || skip > 0,
      totalCount: walk.total,
    });
  }
  const key = p.key;
  if (!source.pages || key === undefined) {
    throw new PaginationInputError(
      'Paging backward past this point is not possible: the upstream pages this list forward only (cursor mode). Use `first`/`after`, or start again.',
    );
  }
  // Numbered pages, then find the edge by key: its page-mode offset may sit past its count.
  // The drift allowance stops at the page-mode cap when the edge's count lies within it: pages
  // past it would be refused (live API) although the edge and everything before it may be there.
  const o = p.offset;
  const cap = source.pages.limits.preferredEnd ?? source.pages.limits.maxEnd ?? Infinity;
  const range = await fetchPagesCovering(source.pages, Math.max(0, o - count), Math.min(o + 1 + driftAllowance(o), Math.max(o + 1, cap)));
  const index = range.items.findIndex((item) => source.keyOf(item) === key);
  if (index < 0 || (index < count && range.from > 0)) {
    throw new PaginationInputError('The cursor\u2019s item is no longer where it was in the list: start again without `before`.');
  }
  const begin = Math.max(0, index - count);
  const entries = keyed(source, range.items.slice(begin, index), Math.max(0, o - (index - begin)));
  return toWindowResult(scope, entries, { hasNextPage: true, hasPreviousPage: range.from + begin > 0, totalCount: range.total });
}

export async function streamWindow<T>(window: RelayWindow, scope: string, source: StreamSource<T>): Promise<WindowResult<T>> {
  if (window.direction === 'backward') return backward(source, scope, window);
  const start: Start = window.after === null ? { kind: 'anchored', anchor: null, skip: 0, o: 0 } : startAfter(decodeCursor(scope, window.after));
  const walk = await walkForward(source, start, window.count);
  return toWindowResult(scope, walk.entries, {
    hasNextPage: walk.hasNext,
    hasPreviousPage: start.o > 0,
    totalCount: walk.total,
  });
}
