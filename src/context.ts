/** What every resolver receives: the request's facts (who it is), loaders and upstream cost. */
import { randomUUID } from 'node:crypto';
import { createLoaders, type Loaders } from './loaders/index.js';
import type { CursorCodec } from './pagination/cursor.js';
import { emptyCost, type UpstreamCost } from './upstream/client.js';
import type { UpstreamApi } from './upstream/index.js';
import type { Credential } from './upstream/transport.js';
import type { RequestFacts } from './http/request.js';
import type { Live } from './live/registry.js';

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
  /** Live subscriptions (src/live): one shared poll per question. */
  readonly live: Live;
  /**
   * A subscription's next event runs like a query of its own: fresh loaders (nothing kept from
   * the last event), its cost counted from zero against the same plan, and a new deadline.
   */
  nextEvent(): void;
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
  live: Live;
}

export function createContext(api: UpstreamApi, facts: RequestFacts, requestId: string = randomUUID(), options: ContextOptions): Context {
  const { cursors, live } = options;
  const cost = emptyCost();
  const budget: CallBudget = { planned: null };
  const { credential } = facts;
  const loadersFromNow = () => {
    const deadline = options.upstreamDeadlineMs === undefined ? {} : { deadline: Date.now() + options.upstreamDeadlineMs };
    return createLoaders(api, { credential, cost, budget, ...deadline });
  };
  const context = {
    requestId,
    facts,
    credential,
    cost,
    budget,
    cursors,
    live,
    loaders: loadersFromNow(),
    nextEvent() {
      Object.assign(cost, emptyCost());
      context.loaders = loadersFromNow();
    },
  };
  return context;
}
