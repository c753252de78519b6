/**
 * Limits checked before any upstream call: tokens (graphql-armor's counting parser), depth and
 * aliases (graphql-armor validation rules), and the planned upstream calls (query-cost.ts, from the costs each field declares). Every
 * rejection is a QUERY_TOO_COSTLY error naming the limit. The size limit is enforced on
 * node:http, as the bytes arrive (src/http/body-limit.ts).
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
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

/** How many admitted documents (token count) and plans per document the plugin remembers. */
const REMEMBERED = 500;
/** Only short texts are remembered, so what is kept stays small (at most ~500 × 16 KB). */
const MAX_REMEMBERED_CHARS = 16_384;

/**
 * The planned calls of (document, operation, variables), remembered per parsed document: yoga's
 * parse cache hands back the same DocumentNode for the same text, so a repeat with the same
 * variables skips the plan walk. The plan is a pure function of these and the (fixed) schema.
 */
function plannedCalls(): (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName: string | null | undefined) => number {
  const byDocument = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();
  return (schema, document, variables, operationName) => {
    let documents = byDocument.get(schema);
    if (!documents) byDocument.set(schema, (documents = new WeakMap()));
    let plans = documents.get(document);
    if (!plans) documents.set(document, (plans = new Map()));
    let key: string;
    try {
      key = JSON.stringify([operationName ?? null, variables]);
    } catch {
      return estimateUpstreamCalls(schema, document, variables, operationName);
    }
    let planned = plans.get(key);
    if (planned === undefined) {
      planned = estimateUpstreamCalls(schema, document, variables, operationName);
      if (key.length > MAX_REMEMBERED_CHARS) return planned;
      if (plans.size >= REMEMBERED) plans.delete(plans.keys().next().value as string);
      plans.set(key, planned);
    }
    return planned;
  };
}

export function useQueryLimits(limits: QueryLimits): Plugin {
  /** Sources already counted within the limit: a repeat is not lexed a second time. */
  const withinTokens = new Set<string>();
  const plan = plannedCalls();
  const rejectWith = (limit: string, message: string) => [
    (context: { reportError(error: GraphQLError): void } | null) =>
      context?.reportError(new QueryTooCostlyError(message, { limit })),
  ];
  const tooManyTokens = () => {
    throw new QueryTooCostlyError(`The query has more than ${limits.maxTokens} tokens.`, { limit: 'tokens' });
  };
  return {
    onParse({ params }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (withinTokens.has(source)) return;
      // graphql-armor's parser counts tokens as it reads them and calls onReject at the first one
      // past the limit: throwing there stops it. Checked in this hook rather than by replacing the
      // parse function (maxTokensPlugin), so the rejection stays a request error, not a parse
      // failure (which yoga answers with 400), and yoga's document cache keeps serving repeats.
      const counter = new MaxTokensParserWLexer(params.source, { n: limits.maxTokens, propagateOnRejection: false, onReject: [tooManyTokens] });
      try {
        counter.parseDocument();
      } catch (error) {
        if (error instanceof QueryTooCostlyError) throw error;
        // A syntax error is reported by the parse that follows.
        return;
      }
      if (source.length > MAX_REMEMBERED_CHARS) return;
      if (withinTokens.size >= REMEMBERED) withinTokens.delete(withinTokens.values().next().value as string);
      withinTokens.add(source);
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
      const planned = plan(args.schema, args.document as DocumentNode, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName);
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
