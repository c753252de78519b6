/**
 * The deadline of a call: UPSTREAM_CALL_DEADLINE_MS from its start across all its attempts,
 * gate waits and back-offs, and never past its request's deadline (UPSTREAM_REQUEST_DEADLINE_MS
 * from the request's start, across all its calls). A call that runs out is a timeout
 * (UPSTREAM_TIMEOUT), like an attempt that does.
 */
import { UpstreamError, type UpstreamRoute } from '../errors.js';

export interface Deadlines {
  /** Longest one call may take, attempts and waits included. */
  callMs: number;
}

/** Epoch ms by which this call must be answered. */
export function callDeadline(deadlines: Deadlines, requestDeadline: number | undefined, now = Date.now()): number {
  const own = now + deadlines.callMs;
  return requestDeadline === undefined ? own : Math.min(own, requestDeadline);
}

export function outOfTime(route: UpstreamRoute): UpstreamError {
  return new UpstreamError({ kind: 'timeout', route });
}
