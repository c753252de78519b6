/**
 * Malformed requests that yoga leaves to throw raw (and that the mask would then answer as our
 * own fault: 500 INTERNAL_SERVER_ERROR, logged as an unexpected error), refused with a closed code:
 *  - a GET whose `variables` or `extensions` query parameter is not JSON (yoga's GET parser calls
 *    JSON.parse unguarded): 400 BAD_REQUEST, as a POST body that is not JSON;
 *  - `variables` or `extensions` nested deeper than MAX_JSON_DEPTH: the whole-result cache keys on
 *    the variables with a recursive stringify, which overflows the stack on ~10,000 levels (an
 *    80 KB body): 400 BAD_REQUEST;
 *  - a mutation: this API has none, and graphql-js only finds that out in execute ("Schema is
 *    not configured to execute …"): refused in validation instead (GRAPHQL_VALIDATION_FAILED).
 *    Yoga's own 405 for a mutation over GET runs before validation. Subscriptions run.
 */
import { GraphQLError, type ValidationRule } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Deepest nesting of arrays and objects accepted in `variables` and `extensions`. */
export const MAX_JSON_DEPTH = 64;

function badRequest(message: string): GraphQLError {
  return createGraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

/** Whether `value` nests arrays/objects deeper than `max` (iterative: never overflows itself). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

const noMutations: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation === 'mutation') {
      context.reportError(new GraphQLError('This API has no mutations: only queries and subscriptions can be run.', { nodes: [node] }));
    }
  },
});

export function useRequestShape(): Plugin {
  return {
    onRequestParse({ request }) {
      if (request.method !== 'GET') return;
      const search = new URL(request.url).searchParams;
      for (const name of ['variables', 'extensions']) {
        const raw = search.get(name);
        if (raw === null || raw === '') continue;
        try {
          JSON.parse(raw);
        } catch {
          throw badRequest(`The \`${name}\` query parameter is not valid JSON.`);
        }
      }
    },
    onParams({ params }) {
      for (const name of ['variables', 'extensions'] as const) {
        if (nestsDeeperThan(params[name], MAX_JSON_DEPTH)) {
          throw badRequest(`\`${name}\` is nested deeper than ${MAX_JSON_DEPTH} levels.`);
        }
      }
    },
    onValidate({ addValidationRule }) {
      addValidationRule(noMutations);
    },
  };
}
