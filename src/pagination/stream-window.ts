/**
 * Relay windows over a cursor-paged upstream (/models). Forward paging follows the upstream's
 * own cursors: every edge remembers the upstream cursor of the response it came from and its
 * index there (or the cursor that starts right after it), so `after` is one request. Pages may
 * be short while a next cursor exists (the live API drops rows after applying the limit): only
 * a missing next cursor ends the list. Backward paging reuses the response anchor when it
 * reaches far enough, otherwise finds the edge again by key through numbered pages.
 *
 * Whatever a cursor says, a window makes at most `maxCallsForWindow(count, maxLimit)` calls
 * (`WindowCalls`): page plans that do not fit are refused before any call, searches by key shrink
 * their drift allowance to fit, and a forward walk through short responses stops at the bound with
 * what it has (`hasNextPage` true, an end cursor that continues from there). Only when the bound
 * is spent before a single item was found does the window fail (PaginationInputError).
 */
import type { RelayWindow } from './args.js';
import { OUT_OF_RANGE, WindowCalls } from './bounds.js';
import type { ItemKey, Position, ScopedCursors } from './cursor.js';
import { PaginationInputError } from './errors.js';
import { fetchPagesCovering, fetchRange, fetchTail, planPages, type PageSource } from './page-plan.js';
import { driftAllowance, requestLimit } from './policy.js';
import { emptyWindow, toWindowResult, type Positioned, type WindowResult } from './window.js';

export interface StreamAnswer<T> {
  items: readonly T[];
  /** The upstream cursor of the item after this response; absent at the end. */
  nextCursor: string | undefined;
  /** A page-numbered upstream without cursors says "more" through nextPage or totals. */
  more: boolean;
  total: number | null;
  /** Items the upstream sent that could not be read (no identity), left out of `items`. */
  leftOut?: number;
}

export interface StreamSource<T> {
  maxLimit: number;
  /** Calls a window may spend beyond `maxCallsForWindow` (items filtered out after they arrive). */
  extraCalls?: number;
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
  /** The walk stopped at the window's call bound, not at its size or the list's end. */
  stopped?: boolean;
}

/** Where a forward walk starts; `o` is the offset of the first item to return. */
type Start =
  /** Inside an upstream response: its cursor (null: the list start) and the rows to skip. */
  | { readonly kind: 'anchored'; readonly anchor: string | null; readonly skip: number; readonly o: number }
  /** By offset through numbered pages; the key of the item just before, to find it again. */
  | { readonly kind: 'offset'; readonly o: number; readonly previousKey?: ItemKey | undefined };

/**
 * A signed cursor is ours; its parts are still checked before anything is sent: an index inside
 * one response. Civitai's own cursors inside it are carried as they came (the envelope bounds
 * their length), never parsed.
 */
function checked<T>(source: StreamSource<T>, p: Position): Position {
  if (p.kind === 'offset') return p;
  if (p.index >= source.maxLimit) throw new PaginationInputError(OUT_OF_RANGE);
  // An item's counted offset is at least its index in its response (equal from the list start).
  if (p.offset < p.index || (p.anchor === null && p.offset !== p.index)) {
    throw new PaginationInputError('The cursor is not valid: pass back a cursor this connection returned.');
  }
  return p;
}

function startAfter(p: Position): Start {
  if (p.kind === 'offset') return { kind: 'offset', o: p.offset + 1, previousKey: p.key };
  if (p.next !== undefined) return { kind: 'anchored', anchor: p.next, skip: 0, o: p.offset + 1 };
  return { kind: 'anchored', anchor: p.anchor, skip: p.index + 1, o: p.offset + 1 };
}

/** The walk ends at the call bound: what it has, or, with nothing yet, a refusal. */
function stopAtBound<T>(entries: Positioned<T>[], total: number | null, responses: number): Walk<T> {
  if (entries.length === 0) {
    throw new PaginationInputError(
      `The upstream answered ${responses} requests after this cursor without an item, the most one window may make: this list cannot be continued from here.`,
    );
  }
  return { entries, hasNext: true, total, stopped: true };
}

async function walkForward<T>(source: StreamSource<T>, start: Start, need: number, calls: WindowCalls): Promise<Walk<T>> {
  if (start.kind === 'offset') return offsetForward(source, start, need, calls);
  const entries: Positioned<T>[] = [];
  let cursor: string | null = start.anchor;
  let skip = start.skip;
  let o = start.o;
  let total: number | null = null;
  let responses = 0;
  let empty = 0;
  for (;;) {
    if (calls.left === 0) return stopAtBound(entries, total, responses);
    // Ask for some spare rows (PAGINATION_POLICY.spareRows): the upstream drops rows after
    // applying the limit, and a short page would cost another round trip. Windows then end
    // inside a response and the next one re-reads from the same anchor; once that reaches the
    // 100-row cap the request is exact, the window ends on the response's end, and the chain
    // moves on to its next cursor. After a response that gave nothing, the cap is asked.
    const limit = requestLimit({ skip, remaining: need - entries.length, gathered: entries.length, empty }, source.maxLimit);
    calls.take(1);
    const answer = await source.fetchFrom(cursor, limit);
    responses++;
    total ??= answer.total;
    const had = entries.length;
    for (let j = skip; j < answer.items.length; j++) {
      if (entries.length >= need) return { entries, hasNext: true, total };
      const node = answer.items[j] as T;
      entries.push({ node, position: { kind: 'anchored', offset: o++, anchor: cursor, index: j, key: source.keyOf(node) } });
    }
    if (entries.length === had && skip >= answer.items.length) empty++;
    skip = Math.max(0, skip - answer.items.length);
    const last = entries.at(-1);
    if (answer.nextCursor !== undefined) {
      if (last?.position.kind === 'anchored') {
        if (answer.items.length > 0 && last.node === answer.items.at(-1)) {
          last.position = { ...last.position, next: answer.nextCursor };
        } else if (entries.length === had && cursor !== null && last.position.next === cursor) {
          // This response, right after the last item, showed nothing: continue past it.
          last.position = { ...last.position, next: answer.nextCursor };
        }
      }
      if (entries.length >= need) return { entries, hasNext: true, total };
      cursor = answer.nextCursor;
      continue;
    }
    if (answer.more && source.pages && entries.length < need) {
      const plan = planPages(o, o + need - entries.length + 1, source.pages.limits);
      if (entries.length > 0 && (plan === null || plan.pages.length > calls.left)) return stopAtBound(entries, total, responses);
      const rest = await offsetForward(source, { kind: 'offset', o }, need - entries.length, calls);
      return { entries: entries.concat(rest.entries), hasNext: rest.hasNext, total: total ?? rest.total };
    }
    return { entries, hasNext: answer.more, total };
  }
}

const keyed = <T>(source: StreamSource<T>, items: readonly T[], from: number): Positioned<T>[] =>
  items.map((node, k) => ({ node, position: { kind: 'offset', offset: from + k, key: source.keyOf(node) } }));

async function offsetForward<T>(source: StreamSource<T>, start: Start & { kind: 'offset' }, need: number, calls: WindowCalls): Promise<Walk<T>> {
  if (!source.pages) {
    throw new PaginationInputError('This cursor can no longer be continued: start again without `after`.');
  }
  const key = start.previousKey;
  let items: readonly T[];
  let total: number | null;
  if (key === undefined) {
    ({ items, total } = await fetchRange(source.pages, start.o, start.o + need + 1, calls));
  } else {
    // The drift allowance shrinks to what the window's calls allow; the window never does.
    const end = start.o + need + 1;
    const covering = await fetchPagesCovering(source.pages, Math.max(0, start.o - 1), end + driftAllowance(start.o), calls, end);
    total = covering.total;
    const index = covering.items.findIndex((item) => source.keyOf(item) === key);
    if (index < 0) throw new PaginationInputError('The cursor\u2019s item is no longer in the list: start again without `after`.');
    items = covering.items.slice(index + 1);
  }
  return { entries: keyed(source, items.slice(0, need), start.o), hasNext: items.length > need, total };
}

async function backward<T>(source: StreamSource<T>, cursors: ScopedCursors, window: RelayWindow & { direction: 'backward' }): Promise<WindowResult<T>> {
  const count = window.count;
  const calls = new WindowCalls(count, source.maxLimit, source.extraCalls);
  if (window.before === null) {
    const tail = await fetchTail(source.pages, count, async () => (await source.fetchFrom(null, 1)).total, calls);
    return toWindowResult(cursors, keyed(source, tail.items, tail.start), { hasNextPage: false, hasPreviousPage: tail.start > 0, totalCount: tail.total });
  }

  const p = checked(source, cursors.decode(window.before));
  if (p.kind === 'anchored' && (p.anchor === null || p.index >= count)) {
    // Everything needed lies between the response anchor and the edge: one request.
    const skip = Math.max(0, p.index - count);
    const take = p.index - skip;
    const walk: Walk<T> = take > 0 ? await walkForward(source, { kind: 'anchored', anchor: p.anchor, skip, o: p.offset - take }, take, calls) : { entries: [], hasNext: true, total: null };
    if (walk.stopped) {
      throw new PaginationInputError('The cursor\u2019s item is no longer where it was in the list: start again without `before`.');
    }
    return toWindowResult(cursors, walk.entries, {
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
  // It also shrinks to what the window's calls allow.
  const o = p.offset;
  const cap = source.pages.limits.preferredEnd ?? source.pages.limits.maxEnd ?? Infinity;
  const range = await fetchPagesCovering(source.pages, Math.max(0, o - count), Math.min(o + 1 + driftAllowance(o), Math.max(o + 1, cap)), calls, o + 1);
  const index = range.items.findIndex((item) => source.keyOf(item) === key);
  if (index < 0 || (index < count && range.from > 0)) {
    throw new PaginationInputError('The cursor\u2019s item is no longer where it was in the list: start again without `before`.');
  }
  const begin = Math.max(0, index - count);
  const entries = keyed(source, range.items.slice(begin, index), Math.max(0, o - (index - begin)));
  return toWindowResult(cursors, entries, { hasNextPage: true, hasPreviousPage: range.from + begin > 0, totalCount: range.total });
}

export async function streamWindow<T>(window: RelayWindow, cursors: ScopedCursors, source: StreamSource<T>): Promise<WindowResult<T>> {
  if (window.count === 0) {
    const cursor = window.direction === 'forward' ? window.after : window.before;
    if (cursor !== null) checked(source, cursors.decode(cursor));
    return emptyWindow(window, cursors);
  }
  if (window.direction === 'backward') return backward(source, cursors, window);
  const start: Start = window.after === null ? { kind: 'anchored', anchor: null, skip: 0, o: 0 } : startAfter(checked(source, cursors.decode(window.after)));
  const walk = await walkForward(source, start, window.count, new WindowCalls(window.count, source.maxLimit, source.extraCalls));
  return toWindowResult(cursors, walk.entries, {
    hasNextPage: walk.hasNext,
    hasPreviousPage: start.o > 0,
    totalCount: walk.total,
  });
}
