/**
 * How many upstream calls one connection window may take: the bound the cost plan charges for a
 * connection field, and the bound the window code keeps whatever a cursor says (`WindowCalls`).
 * Pure; the one owner of this formula.
 */
import { PaginationInputError } from './errors.js';

/**
 * At most `ceil((size + 1) / maxLimit) + 2` calls for a window of `size` items (plus the one
 * look-ahead item that tells `hasNextPage`) over an upstream whose pages hold at most `maxLimit`:
 * - `ceil((size + 1) / maxLimit)` pages hold the window and its look-ahead,
 * - `+ 1` when the window straddles a page boundary (or a short page needs a follow-up),
 * - `+ 1` for backward paging: the probe for the total (`last` without `before`) or the drift of
 *   page-mode offsets past counted ones (`before` found again by key).
 *
 * A window of 0 items makes no call.
 */
export function maxCallsForWindow(size: number, maxLimit: number): number {
  if (!Number.isFinite(size) || size <= 0) return 0;
  if (!Number.isInteger(maxLimit) || maxLimit < 1) throw new RangeError(`bad page cap ${maxLimit}`);
  return Math.ceil((Math.floor(size) + 1) / maxLimit) + 2;
}

/** What a client reads when a cursor would need more calls than its window may make. */
export const OUT_OF_RANGE = 'The cursor is out of range: page forward from the list start.';

/**
 * The calls one window may still make, `maxCallsForWindow(size, maxLimit)` at the start. Calls
 * are taken before they are made: a plan that does not fit is refused whole, and loops that
 * follow cursors stop when nothing is left.
 */
export class WindowCalls {
  #left: number;

  /** `extra`: calls the source may spend beyond the bound (filters applied over its answers; the cost plan charges them too). */
  constructor(size: number, maxLimit: number, extra = 0) {
    this.#left = maxCallsForWindow(size, maxLimit) + (size > 0 ? extra : 0);
  }

  get left(): number {
    return this.#left;
  }

  /** Takes `n` calls, or refuses with PaginationInputError (taking none) when fewer are left. */
  take(n: number, message: string = OUT_OF_RANGE): void {
    if (n > this.#left) throw new PaginationInputError(message);
    this.#left -= n;
  }
}
