/**
 * Live subscriptions in tests: the fixture publishes on demand (`POST /__fixture/publish/…`,
 * fixture/routes/control.ts), and subscribers read over HTTP with the graphql-sse client
 * (distinct connections mode, as graphql-yoga serves it), every event kept for assertions.
 */
import { createClient } from 'graphql-sse';
import type { FixtureUpstream } from '../../fixture/index.js';

export async function publish(fixture: FixtureUpstream, kind: 'model' | 'version' | 'image', body: Record<string, unknown> = {}): Promise<{ id: number; versionId?: number; modelId?: number }> {
  const response = await fetch(`${fixture.origin}/__fixture/publish/${kind}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`publish ${kind}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: number; versionId?: number; modelId?: number };
}

export interface LiveResult {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface Subscriber {
  readonly results: LiveResult[];
  /** Set once the stream ended: 'complete', or the transport's error. */
  readonly ended: { how: 'complete' | 'error'; error?: unknown } | undefined;
  dispose(): void;
}

export function subscribe(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Subscriber {
  const client = createClient({ url, headers, retryAttempts: 0 });
  const results: LiveResult[] = [];
  const state: { ended: Subscriber['ended'] } = { ended: undefined };
  const dispose = client.subscribe<Record<string, unknown>>(
    { query, variables },
    {
      next: (value) => void results.push(value as LiveResult),
      error: (error) => void (state.ended = { how: 'error', error }),
      complete: () => void (state.ended = state.ended ?? { how: 'complete' }),
    },
  );
  return {
    results,
    get ended() {
      return state.ended;
    },
    dispose: () => {
      dispose();
      client.dispose();
    },
  };
}

/** Waits until `check` holds, polling every 20 ms; fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Upstream calls of the fixture whose URL matches. */
export function callsMatching(fixture: FixtureUpstream, pattern: RegExp): number {
  return fixture.log.filter((entry) => pattern.test(entry.url)).length;
}
