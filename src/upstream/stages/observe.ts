/**
 * Stage 7, metrics: every attempt is counted per route and outcome (an HTTP status, timeout,
 * network, or rate-limited when the gate refused it) and timed. It observes the exchange; it
 * changes nothing.
 */
import type { UpstreamError, UpstreamRoute } from '../errors.js';
import { ROUTES } from '../routes.js';
import type { Exchanged } from './exchange.js';

export type CallOutcome = number | 'timeout' | 'network' | 'rate-limited';
/** Receives one observation per attempt: the route's metrics label, its outcome and seconds taken. */
export type CallObserver = (route: string, outcome: CallOutcome, seconds: number) => void;

export async function observed(observe: CallObserver | undefined, route: UpstreamRoute, exchange: () => Promise<Exchanged>): Promise<Exchanged> {
  if (!observe) return exchange();
  const started = performance.now();
  const label = ROUTES[route].metric;
  try {
    const answer = await exchange();
    observe(label, answer.status, (performance.now() - started) / 1000);
    return answer;
  } catch (error) {
    observe(label, (error as UpstreamError).kind === 'timeout' ? 'timeout' : 'network', (performance.now() - started) / 1000);
    throw error;
  }
}

export function observeRefusal(observe: CallObserver | undefined, route: UpstreamRoute): void {
  observe?.(ROUTES[route].metric, 'rate-limited', 0);
}
