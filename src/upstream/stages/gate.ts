/**
 * Stage 4, the rate gate: before each attempt, the credential's share of UPSTREAM_RATE_LIMIT and
 * any hold-off Civitai asked for (waiting at most what the call has left); after it, a 429 with
 * Retry-After holds that credential off. The gate itself (in memory, or shared by the fleet in
 * Redis) is src/redis/rate-limit.ts, plugged in here. A refusal never reaches Civitai: it is the
 * call's 429 (UPSTREAM_RATE_LIMITED with `retryAfter`), final, since waiting longer was refused.
 */
import { UpstreamError, type UpstreamRoute } from '../errors.js';

/** A gate's refusal: the call would have to wait `retryAfterMs`, longer than it may. */
export class GateRefusal extends Error {
  constructor(
    readonly retryAfterMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'GateRefusal';
  }
}

export interface RateGate {
  /** Resolves when a call of this credential may go out, having waited at most `maxWaitMs`; rejects with a GateRefusal otherwise. */
  acquire(fingerprint: string, maxWaitMs: number): Promise<void>;
  /** Holds this credential off for `ms` (Civitai's Retry-After). */
  holdOff(fingerprint: string, ms: number): void;
}

/** Waits for the gate; a refusal becomes the call's final 429. */
export async function passGate(gate: RateGate | undefined, route: UpstreamRoute, fingerprint: string, maxWaitMs: number, refused: () => void): Promise<void> {
  if (!gate) return;
  try {
    await gate.acquire(fingerprint, maxWaitMs);
  } catch (error) {
    if (!(error instanceof GateRefusal)) throw error;
    refused();
    const retryAfterMs = Math.max(1, Math.ceil(error.retryAfterMs / 1000)) * 1000;
    throw new UpstreamError({ kind: 'http', route, status: 429, retryAfterMs, final: true });
  }
}

/** After an attempt: Civitai's 429 with Retry-After holds the credential off (on every replica with Redis). */
export function learnHoldOff(gate: RateGate | undefined, fingerprint: string, status: number, retryAfterMs: number | undefined): void {
  if (gate && status === 429 && retryAfterMs !== undefined && retryAfterMs > 0) gate.holdOff(fingerprint, retryAfterMs);
}
