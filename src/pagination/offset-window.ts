/**
 * Relay windows over a page-numbered upstream whose offsets are exact (/creators, /tags, and
 * /models in 2022 mode). The window plus one look-ahead item is fetched with the fewest pages,
 * within the window's call bound (`WindowCalls`).
 */
import type { RelayWindow } from './args.js';
import { WindowCalls } from './bounds.js';
import type { ScopedCursors } from './cursor.js';
import { fetchRange, fetchTail, type PageSource } from './page-plan.js';
import { emptyWindow, toWindowResult, type Positioned, type WindowResult } from './window.js';

export type { PageAnswer } from './page-plan.js';
export type OffsetSource<T> = PageSource<T>;

export async function offsetWindow<T>(window: RelayWindow, cursors: ScopedCursors, source: OffsetSource<T>): Promise<WindowResult<T>> {
  const at = (items: readonly T[], start: number): Positioned<T>[] =>
    items.map((node, k) => ({ node, position: { kind: 'offset', offset: start + k } }));
  if (window.count === 0) return emptyWindow(window, cursors);
  const calls = new WindowCalls(window.count, source.limits.maxLimit);

  if (window.direction === 'forward') {
    const start = window.after === null ? 0 : cursors.decode(window.after).offset + 1;
    const { items, total } = await fetchRange(source, start, start + window.count + 1, calls);
    return toWindowResult(cursors, at(items.slice(0, window.count), start), {
      hasNextPage: items.length > window.count,
      hasPreviousPage: start > 0,
      totalCount: total,
    });
  }

  if (window.before === null) {
    const tail = await fetchTail(source, window.count, async () => (await source.fetchPage(1, 1)).total, calls);
    return toWindowResult(cursors, at(tail.items, tail.start), { hasNextPage: false, hasPreviousPage: tail.start > 0, totalCount: tail.total });
  }
  const end = cursors.decode(window.before).offset;
  const start = Math.max(0, end - window.count);
  const range = await fetchRange(source, start, end, calls);
  return toWindowResult(cursors, at(range.items, start), { hasNextPage: true, hasPreviousPage: start > 0, totalCount: range.total });
}
