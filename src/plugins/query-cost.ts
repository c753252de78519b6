/**
 * A pessimistic plan of how many upstream calls an operation may make, before anything runs.
 * It walks the operation against the schema the way execution will (graphql's own field
 * collection: fragments, inline fragments, aliases, `@skip`/`@include`, coerced variables) and
 * adds up what each field declares where it is defined (`src/schema/cost.ts`). Lists multiply
 * their children; an abstract type costs the most expensive of its possible types.
 */
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields.js';
import { MAX_PAGE_SIZE } from '../pagination/args.js';
import { costOf, type CostArgs, type FieldCost } from '../schema/cost.js';
import { UPSTREAM_COST_FACTS, type UpstreamCostFacts } from '../upstream/index.js';

/** What a field costs when the schema does not say (a gap `field-costs.test.ts` catches): one lookup per parent. */
const UNDECLARED: FieldCost = { calls: 1, items: MAX_PAGE_SIZE };

const perArgs = (value: number | ((args: CostArgs, facts: UpstreamCostFacts) => number), args: CostArgs) =>
  typeof value === 'number' ? value : value(args, UPSTREAM_COST_FACTS);

interface Reach {
  /** How many parent objects of this type the query may reach. */
  times: number;
  /** How many lists of them (the parent's parents): `times` over the list's length. */
  lists: number;
  /** The window of the connection these objects hang from, if any. */
  window: number | undefined;
}

/** What the walk reads besides the types: the document's fragments, the coerced variables, the per-operation calls. */
interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Calls made once per operation, by field coordinate. */
  once: Map<string, number>;
}

/** The cost of a selection, walked down the schema: calls per parent, per list, shared, and below. */
function costWalker({ schema, fragments, variables, once }: Walk) {
  function fieldCost(type: GraphQLObjectType, fields: Map<string, readonly FieldNode[]>, reach: Reach): number {
    let perParent = 0;
    let perList = 0;
    const shared = new Map<string, number>();
    let below = 0;
    for (const nodes of fields.values()) {
      const node = nodes[0] as FieldNode;
      const name = node.name.value;
      if (name.startsWith('__')) continue;
      const field = type.getFields()[name] as GraphQLField<unknown, unknown> | undefined;
      if (!field) continue;
      const reading = costOf(field);
      const declared = reading.kind === 'declared' ? reading.cost : reading.kind === 'free' ? null : UNDECLARED;
      let args: CostArgs;
      try {
        args = getArgumentValues(field, node, variables);
      } catch {
        continue; // refused by execution before the resolver runs
      }
      if (declared) {
        const calls = perArgs(declared.calls, args);
        if (declared.shares !== undefined) shared.set(declared.shares, Math.max(shared.get(declared.shares) ?? 0, calls));
        else if (declared.oncePerList) perList += calls;
        else perParent += calls;
        if (declared.oncePerOperation) once.set(`${type.name}.${name}`, declared.oncePerOperation);
      }
      const named = getNamedType(field.type);
      if (!isCompositeType(named) || !node.selectionSet) continue;
      let size = 1;
      if (isListType(getNullableType(field.type))) {
        const items = declared?.items ?? 1;
        size = items === 'window' ? (reach.window ?? MAX_PAGE_SIZE) : perArgs(items, args);
      }
      const times = reach.times * size;
      if (times === 0) continue;
      below += selectionCost(named, nodes, { times, lists: reach.times, window: declared?.window?.(args) });
    }
    let sharedCalls = 0;
    for (const calls of shared.values()) sharedCalls += calls;
    return reach.times * (perParent + sharedCalls) + reach.lists * perList + below;
  }

  function selectionCost(type: GraphQLCompositeType, nodes: readonly FieldNode[], reach: Reach): number {
    const concrete = isAbstractType(type) ? schema.getPossibleTypes(type) : isObjectType(type) ? [type] : [];
    let worst = 0;
    for (const candidate of concrete) {
      const fields = collectSubfields(schema, fragments, variables, candidate, nodes);
      worst = Math.max(worst, fieldCost(candidate, fields, reach));
    }
    return worst;
  }

  return { fieldCost, selectionCost };
}

export function estimateUpstreamCalls(
  schema: GraphQLSchema,
  document: DocumentNode,
  rawVariables: Record<string, unknown> = {},
  operationName?: string | null,
): number {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  // Variables that do not coerce fail the request before any resolver runs.
  if (coerced.errors) return 0;
  const variables = coerced.coerced;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return 0;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const once = new Map<string, number>();
  const { fieldCost } = costWalker({ schema, fragments, variables, once });
  const top = fieldCost(rootType, collectFields(schema, fragments, variables, rootType, operation.selectionSet), { times: 1, lists: 1, window: undefined });
  let onceCalls = 0;
  for (const calls of once.values()) onceCalls += calls;
  return Math.ceil(top + onceCalls);
}
