/**
 * Refuses a request whose planned upstream calls (set by useQueryLimits) would pass its client's
 * budget for the minute (src/redis/client-budget.ts), before any upstream call: QUERY_TOO_COSTLY
 * with `limit: 'client'`, `planned`, `budget` and `retryAfter` (seconds), HTTP 429 with
 * Retry-After. A client is its API key when it sends one, else its address. Answers from the
 * whole-result cache come before this plugin and are not charged.
 */
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { QueryTooCostlyError } from '../errors.js';
import type { RequestFacts } from '../http/request.js';
import type { ClientBudget } from '../redis/client-budget.js';

/** Who is charged: the key's fingerprint, else the peer address (the anonymous share one credential upstream). */
export function clientOf(facts: RequestFacts): string {
  return facts.presented === 'bearer' ? `key:${facts.client}` : `ip:${facts.peer ?? 'unknown'}`;
}

export function useClientBudget(budget: ClientBudget | undefined): Plugin {
  if (!budget) return {};
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as Partial<Context> | undefined;
      const planned = context?.budget?.planned ?? 0;
      if (!context?.facts || planned <= 0) return;
      const refused = await budget.take(clientOf(context.facts), planned);
      if (!refused) return;
      const retryAfter = Math.ceil(refused.retryAfterMs / 1000);
      const error = new QueryTooCostlyError(
        `This client has used its ${budget.perMinute} upstream calls for the minute (this query plans ${planned}); retry in ${retryAfter} s.`,
        { limit: 'client', planned, budget: budget.perMinute, retryAfter },
      );
      error.extensions.http = { status: 429, headers: { 'retry-after': String(retryAfter) } };
      setResultAndStopExecution({ errors: [error] });
    },
  };
}
