/** What every resolver receives: the request's facts (who it is), loaders and upstream cost. */
import { randomUUID } from 'node:crypto';
import { createLoaders, type Loaders } from './loaders/index.js';
import type { CursorCodec } from './pagination/cursor.js';
import { emptyCost, type UpstreamCost } from './upstream/client.js';
import type { UpstreamApi } from './upstream/index.js';
import type { Credential } from './upstream/transport.js';
import type { RequestFacts } from './http/request.js';

export interface Context {
  readonly requestId: string;
  /** Who the request is, read once at the HTTP edge (src/http/request.ts). */
  readonly facts: RequestFacts;
  /** The credential it goes upstream with (`facts.credential`). */
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

export interface ContextOptions {
  cursors: CursorCodec;
  /** How long all upstream calls of the request may take (UPSTREAM_REQUEST_DEADLINE_MS), from now. */
  upstreamDeadlineMs?: number;
}

export function createContext(api: UpstreamApi, facts: RequestFacts, requestId: string = randomUUID(), options: ContextOptions): Context {
  const { cursors } = options;
  const cost = emptyCost();
  const budget: CallBudget = { planned: null };
  const { credential } = facts;
  const deadline = options.upstreamDeadlineMs === undefined ? {} : { deadline: Date.now() + options.upstreamDeadlineMs };
  const scope = { credential, cost, budget, ...deadline };
  return { requestId, facts, credential, cost, budget, cursors, loaders: createLoaders(api, scope) };
}
