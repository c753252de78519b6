/**
 * Reports what a request cost upstream (calls, cache hits, in-flight shares, the planned calls) in
 * `extensions.cost` when the request's facts say so (`x-upstream-cost: 1`, or REPORT_COST), and
 * logs it at debug level.
 */
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { Logger } from '../logger.js';

export { COST_HEADER } from '../http/headers.js';

export function useUpstreamCost(options: { logger: Logger }): Plugin<Context> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as Context;
      const wanted = ctx.facts.reportsCost;
      return {
        onExecuteDone({ result, setResult }) {
          options.logger.debug('upstream cost', { requestId: ctx.requestId, client: ctx.facts.client, credential: ctx.credential.fingerprint, ...ctx.cost });
          if (!wanted || !result || Symbol.asyncIterator in result) return;
          // `planned`: the calls the cost plan allowed (sent calls, retries aside, never exceed it).
          setResult({ ...result, extensions: { ...result.extensions, cost: { ...ctx.cost, planned: ctx.budget?.planned ?? null } } });
        },
      };
    },
  };
}
