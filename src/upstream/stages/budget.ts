/**
 * Stage 1, plan/budget: a call that would go upstream once its request has sent every call its
 * cost plan allowed is refused (CallBudgetSpent, that field alone). Checked and charged in one
 * synchronous step with the first attempt (retry.ts counts the call before its first await), so
 * concurrent calls of one request cannot overshoot the plan together. A background refresh
 * answers nobody and is charged to no request.
 */
import { CallBudgetSpent, type CallScope, type UpstreamCost } from '../client.js';

/** Calls the budget counts: requests sent, not their retries. */
const chargedCalls = (cost: UpstreamCost) => cost.calls - cost.retries;

export function refuseOverBudget(scope: CallScope, background: boolean): void {
  const planned = scope.budget?.planned;
  if (!background && planned != null && chargedCalls(scope.cost) >= planned) throw new CallBudgetSpent(planned, scope);
}
