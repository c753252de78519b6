/**
 * Reports what a request cost upstream (calls, cache hits, in-flight shares, the planned calls) in
 * `extensions.cost` when the client sends `x-upstream-cost: 1` or the server is configured to,
 * and logs it at debug level.
 */
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { Logger } from '../logger.js';

export const COST_HEADER = 'x-upstream-cost';

export function useUpstreamCost(options: { always: boolean; logger: Logger }): Plugin<Context> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as Context & { request?: Request };
      const wanted = options.always || ctx.request?.headers.get(COST_HEADER) === '1';
      return {
        onExecuteDone({ result, setResult }) {
          options.logger.debug('upstream cost', { requestId: ctx.requestId, credential: ctx.credential.fingerprint, ...ctx.cost });
          if (!wanted || !result || Symbol.asyncIterator in result) return;
          // `planned`: the calls the cost plan allowed (sent calls, retries aside, never exceed it).
          setResult({ ...result, extensions: { ...result.extensions, cost: { ...ctx.cost, planned: ctx.budget?.planned ?? null } } });
        },
      };
    },
  };
}
