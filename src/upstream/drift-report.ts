/**
 * What operators see of drift: every drifted field of every answer read from Civitai is counted
 * (`cgql_upstream_drift_total{route,field}`), and one warning per (route, field) per
 * DRIFT_LOG_INTERVAL_MS says what type arrived, so a changed shape shows in the logs once, not
 * once per request.
 */
import type { DriftObserver } from './index.js';

export const DRIFT_LOG_INTERVAL_MS = 10 * 60_000;
/** Distinct (route, field) pairs whose last warning time is kept; past it the oldest is forgotten. */
const MAX_REMEMBERED = 1_000;

export interface DriftSinks {
  count(route: string, field: string): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export function createDriftReporter(sinks: DriftSinks, now: () => number = Date.now): DriftObserver {
  const warned = new Map<string, number>();
  return (route, drift) => {
    for (const [field, arrived] of drift) {
      sinks.count(route, field);
      const key = `${route} ${field}`;
      const last = warned.get(key);
      if (last !== undefined && now() - last < DRIFT_LOG_INTERVAL_MS) continue;
      warned.delete(key);
      warned.set(key, now());
      if (warned.size > MAX_REMEMBERED) warned.delete(warned.keys().next().value as string);
      sinks.warn('Civitai sent a field this API cannot read as before', { route, field, arrived });
    }
  };
}
