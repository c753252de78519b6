/**
 * Limits checked before any upstream call: tokens (graphql-armor's counting parser), depth and
 * aliases (graphql-armor validation rules), and the planned upstream calls (query-cost.ts, from the costs each field declares). Every
 * rejection is a QUERY_TOO_COSTLY error naming the limit. The operations of one batched request
 * (a JSON array) are each planned alone, and their plans add up against the same
 * MAX_UPSTREAM_CALLS: an operation that would take the batch past it is refused (`limit: "cost"`),
 * so a batch cannot multiply the bound. The size limit is enforced on
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
import { byteBoundedCache, textBytes, type ClientMemory } from './bounded-caches.js';

export interface QueryLimits {
  maxRequestBytes: number;
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxUpstreamCalls: number;
}

/** The shares of CLIENT_MEMORY_BYTES the plugin's memos keep (bounded-caches.ts). */
export type QueryLimitMemory = Pick<ClientMemory, 'tokenChecked' | 'plans'>;

/** Documents and schemas get a number for as long as they live, so a plan's key names them without holding them. */
const identities = new WeakMap<object, number>();
let lastIdentity = 0;
const identity = (object: object) => {
  let id = identities.get(object);
  if (id === undefined) identities.set(object, (id = ++lastIdentity));
  return id;
};

/**
 * The planned calls of (document, operation, variables), in one LRU for all documents, bounded
 * by its bytes: yoga's parse cache hands back the same DocumentNode for the same text, so a
 * repeat with the same variables skips the plan walk. The plan is a pure function of these and
 * the (fixed) schema. A key names the document by number, so an entry never keeps one alive.
 */
function plannedCalls(maxBytes: number): (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName: string | null | undefined) => number {
  const plans = byteBoundedCache<number>(maxBytes, (_planned, key) => textBytes(key) + 64);
  return (schema, document, variables, operationName) => {
    let key: string;
    try {
      key = `${identity(schema)}|${identity(document)}|${JSON.stringify([operationName ?? null, variables])}`;
    } catch {
      return estimateUpstreamCalls(schema, document, variables, operationName);
    }
    let planned = plans.get(key);
    if (planned === undefined) {
      planned = estimateUpstreamCalls(schema, document, variables, operationName);
      plans.set(key, planned);
    }
    return planned;
  };
}

interface PlannedArgs {
  schema: GraphQLSchema;
  document: unknown;
  variableValues?: unknown;
  operationName?: string | null | undefined;
  contextValue?: unknown;
}

/** The refusal of an operation planning `planned` calls after `before` planned by its batch, if any. */
function costRefusal(planned: number, before: number, max: number): QueryTooCostlyError | undefined {
  if (planned > max) {
    return new QueryTooCostlyError(
      `The query could need about ${planned} upstream calls; the limit is ${max}. Ask for smaller pages or fewer nested lists.`,
      { limit: 'cost', planned, budget: max },
    );
  }
  if (before + planned > max) {
    return new QueryTooCostlyError(
      `With the operations before it in this batch, this one could take the request to about ${before + planned} upstream calls; the limit is ${max}. Send it in another request.`,
      { limit: 'cost', planned, budget: max },
    );
  }
  return undefined;
}

/**
 * Sets the request's call budget to its plan, and refuses a plan over MAX_UPSTREAM_CALLS, or one
 * that takes its batch's operations together over it.
 */
function planAdmission(plan: ReturnType<typeof plannedCalls>, max: number) {
  /** Planned calls so far of each request's operations (more than one only in a batch). */
  const plannedOfRequest = new WeakMap<Request, number>();
  return (args: PlannedArgs, stop: (result: { errors: GraphQLError[] }) => void): void => {
    const planned = plan(args.schema, args.document as DocumentNode, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName);
    const budget = (args.contextValue as Partial<Context> | undefined)?.budget;
    if (budget) budget.planned = planned;
    const request = (args.contextValue as { request?: Request } | undefined)?.request;
    const before = request ? (plannedOfRequest.get(request) ?? 0) : 0;
    const refusal = costRefusal(planned, before, max);
    if (refusal) stop({ errors: [refusal] });
    else if (request) plannedOfRequest.set(request, before + planned);
  };
}

export function useQueryLimits(limits: QueryLimits, memory: QueryLimitMemory): Plugin {
  /** Sources already counted within the limit: a repeat is not lexed a second time. */
  const withinTokens = byteBoundedCache<true>(memory.tokenChecked, (_true, source) => textBytes(source) + 64);
  /** Documents that passed every validation rule (yoga's validation cache is off: bounded-caches.ts). */
  const valid = new WeakSet<DocumentNode>();
  const plan = plannedCalls(memory.plans);
  const rejectWith = (limit: string, message: string) => [
    (context: { reportError(error: GraphQLError): void } | null) =>
      context?.reportError(new QueryTooCostlyError(message, { limit })),
  ];
  const tooManyTokens = () => {
    throw new QueryTooCostlyError(`The query has more than ${limits.maxTokens} tokens.`, { limit: 'tokens' });
  };
  const admitPlan = planAdmission(plan, limits.maxUpstreamCalls);
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
      withinTokens.set(source, true);
    },
    onValidate({ addValidationRule, params, setResult }) {
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
      // The rules are the same for every request (this plugin adds the last ones), so a document
      // that passed them once passes again. Only a pass is remembered, for as long as the document
      // lives (bounded by the parse cache); errors are found again, never kept.
      const document = params.documentAST;
      if (valid.has(document)) return setResult([]);
      return ({ result }) => {
        if (result.length === 0) valid.add(document);
      };
    },
    // A subscription's plan is what each of its events may cost (its root fields poll nothing
    // of their own): refused the same way before it starts, and each event's budget.
    onExecute: ({ args, setResultAndStopExecution }) => admitPlan(args, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => admitPlan(args, setResultAndStopExecution),
  };
}
