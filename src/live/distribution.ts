/**
 * Who polls a topic and how its events reach the subscribers. In one process: this process polls
 * every topic it has subscribers for, and hands the events straight to them. With Redis
 * (fleet.ts): one replica holds each topic's lease and publishes over pub/sub to every replica.
 */
import type { LiveEvent } from './feeds.js';

export type Leadership = { readonly leading: false } | { readonly leading: true; readonly handover: unknown };

export interface Distribution {
  /** Whether this process polls `key` now; `handover`: the state the last poller left, when this one takes over. */
  lead(key: string): Promise<Leadership>;
  /** Registers the model ids this process watches for `key`; answers every id watched for it. */
  watched(key: string, local: readonly number[]): Promise<number[]>;
  /** Hands what one poll found to every subscriber of `key`, and keeps `snapshot` for a successor. */
  publish(key: string, events: readonly LiveEvent[], snapshot: unknown): Promise<void>;
  /** Delivers the events of `key`, whoever polled them, until the returned function is called. */
  listen(key: string, deliver: (events: readonly LiveEvent[]) => void): () => void;
  /** This process stops polling `key` (its last subscriber left). */
  release(key: string): void;
  close(): Promise<void>;
}

export function localDistribution(): Distribution {
  const listeners = new Map<string, (events: readonly LiveEvent[]) => void>();
  return {
    lead: async () => ({ leading: true, handover: undefined }),
    watched: async (_key, local) => [...local],
    publish: async (key, events) => listeners.get(key)?.(events),
    listen(key, deliver) {
      listeners.set(key, deliver);
      return () => listeners.delete(key);
    },
    release: () => undefined,
    close: async () => undefined,
  };
}
