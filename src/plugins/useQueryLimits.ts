/**
 * Limits checked before any upstream call: request size, tokens (at parse), depth and aliases
 * (graphql-armor validation rules), and the planned upstream calls (query-cost.ts, from the costs each field declares). Every
 * rejection is a QUERY_TOO_COSTLY error naming the limit.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, Lexer, Source, TokenKind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { QueryTooCostlyError } from '../errors.js';
import { estimateUpstreamCalls } from './query-cost.js';

export interface QueryLimits {
  maxRequestBytes: number;
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxUpstreamCalls: number;
}

function countTokens(text: string, stopAt: number): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) if (++count > stopAt) break;
  } catch {
    // A syntax error is reported by the parser itself.
  }
  return count;
}

export function useQueryLimits(limits: QueryLimits): Plugin {
  const rejectWith = (limit: string, message: string) => [
    (context: { reportError(error: GraphQLError): void } | null) =>
      context?.reportError(new QueryTooCostlyError(message, { limit })),
  ];
  return {
    onRequest({ request, endResponse }) {
      const length = Number(request.headers.get('content-length') ?? 0);
      const tooLong = length > limits.maxRequestBytes || request.url.length > limits.maxRequestBytes;
      if (tooLong) {
        const body = { errors: [{ message: `The request is larger than ${limits.maxRequestBytes} bytes.`, extensions: { code: 'QUERY_TOO_COSTLY', limit: 'size' } }] };
        endResponse(new Response(JSON.stringify(body), { status: 413, headers: { 'content-type': 'application/json' } }));
      }
    },
    onParse({ params }) {
      const text = typeof params.source === 'string' ? params.source : params.source.body;
      if (countTokens(text, limits.maxTokens) > limits.maxTokens) {
        throw new QueryTooCostlyError(`The query has more than ${limits.maxTokens} tokens.`, { limit: 'tokens' });
      }
    },
    onValidate({ addValidationRule }) {
      addValidationRule(
        maxDepthRule({
          n: limits.maxDepth,
          propagateOnRejection: false,
          onReject: rejectWith('depth', `The query is nested deeper than ${limits.maxDepth} levels.`),
        }),
      );
      addValidationRule(
        maxAliasesRule({
          n: limits.maxAliases,
          propagateOnRejection: false,
          onReject: rejectWith('aliases', `The query uses more than ${limits.maxAliases} aliases.`),
        }),
      );
    },
    onExecute({ args, setResultAndStopExecution }) {
      const planned = estimateUpstreamCalls(args.schema, args.document as DocumentNode, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName);
      const budget = (args.contextValue as Partial<Context> | undefined)?.budget;
      if (budget) budget.planned = planned;
      if (planned > limits.maxUpstreamCalls) {
        setResultAndStopExecution({
          errors: [
            new QueryTooCostlyError(
              `The query could need about ${planned} upstream calls; the limit is ${limits.maxUpstreamCalls}. Ask for smaller pages or fewer nested lists.`,
              { limit: 'cost', planned, budget: limits.maxUpstreamCalls },
            ),
          ],
        });
      }
    },
  };
}
