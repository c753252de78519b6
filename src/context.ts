/** What every resolver receives: the request's loaders, credential and upstream cost. */
import { randomUUID } from 'node:crypto';
import { createLoaders, type Loaders } from './loaders/index.js';
import type { CursorCodec } from './pagination/cursor.js';
import { emptyCost, type UpstreamCost } from './upstream/client.js';
import type { UpstreamApi } from './upstream/index.js';
import type { Credential } from './upstream/transport.js';

export interface Context {
  readonly requestId: string;
  readonly credential: Credential;
  readonly cost: UpstreamCost;
  readonly loaders: Loaders;
  /** Signs and checks pagination cursors (one codec per server, its secret from CURSOR_SECRET). */
  readonly cursors: CursorCodec;
  /** The upstream calls this request planned (set by useQueryLimits before execution). */
  readonly budget: CallBudget;
}

/**
 * The plan as a runtime limit: lists longer than the plan assumed (versions or tags of one
 * model) must not spend more than was planned. The upstream call scope is meant to refuse a call
 * once `cost.calls` reaches `planned` (the hook belongs in src/upstream/client.ts, not wired yet).
 */
export interface CallBudget {
  planned: number | null;
}

export function createContext(api: UpstreamApi, credential: Credential, requestId: string = randomUUID(), cursors: CursorCodec): Context {
  const cost = emptyCost();
  const budget: CallBudget = { planned: null };
  const scope = { credential, cost, budget };
  return { requestId, credential, cost, budget, cursors, loaders: createLoaders(api, scope) };
}
