/**
 * A clock that moves only when the test moves it, for code that takes its time as a parameter
 * (the Redis connection's deadlines): the test says how much time passes instead of sleeping, so
 * a busy machine changes nothing. Timers due by the new time run in order, synchronously.
 */
export interface ManualClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  advance(ms: number): void;
  /** Timers not yet run. */
  readonly pending: number;
}

export function manualClock(start = 0): ManualClock {
  let now = start;
  let ids = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      timers.set(++ids, { at: now + Math.max(0, ms), callback });
      return ids;
    },
    clearTimeout(timer) {
      timers.delete(timer as number);
    },
    advance(ms) {
      now += ms;
      const due = [...timers].filter(([, t]) => t.at <= now).sort(([a, x], [b, y]) => x.at - y.at || a - b);
      for (const [id, timer] of due) {
        if (timers.delete(id)) timer.callback();
      }
    },
    get pending() {
      return timers.size;
    },
  };
}

/** One real turn of the event loop (I/O and immediates queued before it have run). */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A promise with a flag saying whether it has settled yet. */
export function tracked<T>(promise: Promise<T>): { promise: Promise<T>; readonly settled: boolean } {
  let settled = false;
  const done = promise.finally(() => void (settled = true));
  return {
    promise: done,
    get settled() {
      return settled;
    },
  };
}
