/**
 * The tuned numbers of pagination, in one place: page sizes, cursor length, the spare rows asked
 * of a cursor-paged upstream and the drift allowed between counted and page-mode offsets. Pure.
 * Tests import these instead of retyping them.
 */
export const PAGINATION_POLICY = {
  /** `first`/`last` when neither is given. */
  defaultPageSize: 20,
  /** Largest `first`/`last`. */
  maxPageSize: 100,
  /** Longest cursor accepted, in characters. */
  maxCursorLength: 2048,
  /** Largest offset a cursor may carry (far past any list Civitai serves); beyond it, refused. */
  maxOffset: 10_000_000,
  /** Largest index within one upstream response a cursor may carry (windows check their own cap). */
  maxIndex: 1000,
  /**
   * Spare rows asked for beyond the window on a cursor-paged upstream, which drops rows after
   * applying the limit (a short page would cost another round trip):
   * `min + ceil(remaining / divisor)`, with a larger share after a first short response.
   */
  spareRows: { min: 3, firstResponseDivisor: 10, laterResponseDivisor: 4 },
  /**
   * How far an item's page-mode offset may lie past its counted offset (numbered pages count the
   * rows the upstream drops from its answers, counted offsets do not): `base + ceil(o × perItem)`.
   */
  drift: { base: 10, perItem: 0.15 },
} as const;

/**
 * The `limit` of one request to a cursor-paged upstream: `skip` rows of the response come before
 * the window, `remaining` items are still wanted, `gathered` were already collected by earlier
 * responses of the same window, `empty` of which gave it nothing (then the cap is asked: a window
 * has few calls, see src/pagination/bounds.ts, and a run of dropped rows must not spend them).
 */
export function requestLimit(request: { skip: number; remaining: number; gathered: number; empty?: number }, maxLimit: number): number {
  if ((request.empty ?? 0) > 0) return maxLimit;
  const { min, firstResponseDivisor, laterResponseDivisor } = PAGINATION_POLICY.spareRows;
  const spare = min + Math.ceil(request.remaining / (request.gathered > 0 ? laterResponseDivisor : firstResponseDivisor));
  return Math.min(maxLimit, Math.max(1, request.skip + request.remaining + spare));
}

/** The drift allowance of an item counted at offset `o` (see PAGINATION_POLICY.drift). */
export function driftAllowance(o: number): number {
  return PAGINATION_POLICY.drift.base + Math.ceil(o * PAGINATION_POLICY.drift.perItem);
}
