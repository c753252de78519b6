/**
 * Adds to a result the errors of items its connections left out (Civitai sent them without an
 * identity: src/schema/drift.ts), at each connection's path, beside the data it kept. Before the
 * closed errors (onResultProcess), so they are closed and counted like any other.
 */
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { leftOutErrors } from '../schema/drift.js';

export function useDriftErrors(): Plugin {
  return {
    onExecute({ args }) {
      const context = args.contextValue as object;
      return {
        onExecuteDone({ result, setResult }) {
          // An incremental answer keeps its parts as they are: its first part was sent already.
          if (isAsyncIterable(result)) return;
          const errors = leftOutErrors(context);
          if (errors.length) setResult({ ...(result as ExecutionResult), errors: [...((result as ExecutionResult).errors ?? []), ...errors] });
        },
      };
    },
  };
}
