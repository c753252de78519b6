/**
 * A pure, pessimistic plan of how many upstream calls a query may make, from its document and
 * variables, before anything runs. It follows the fan-out of lists (a connection of N models,
 * each with its creator, tags and versions) and charges the fields that cost a lookup per
 * parent. Sizes the query cannot state (tags per model, versions per model) are assumed.
 */
import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

/** Assumed sizes of lists whose length the query cannot bound. */
export const ASSUMED = { tagsPerModel: 8, versionsPerModel: 4, imagesPerVersion: 10, defaultPage: 20 } as const;

/** Fields that cost one upstream lookup per parent object, by parent type. */
const PER_PARENT: Record<string, ReadonlySet<string>> = {
  Creator: new Set(['modelCount', 'image']),
  Tag: new Set(['modelCount']),
  ModelVersion: new Set(['createdAt', 'updatedAt', 'status', 'air']),
};

/** Fields returning lists, with the element type and how many elements to assume. */
type ListRule = { type: string; size: (args: Args) => number; calls: (args: Args) => number };
type Args = Record<string, unknown>;

const pageSize = (args: Args) => Number(args.first ?? args.last ?? ASSUMED.defaultPage) || 0;
const connection = (type: string, perCall: number): ListRule => ({
  type: `${type}Connection`,
  size: pageSize,
  // A window can straddle two upstream pages, and short pages need one more.
  calls: (args) => Math.ceil(pageSize(args) / perCall) + 1,
});

const FIELDS: Record<string, Record<string, ListRule | { type: string; calls: number }>> = {
  Query: {
    models: connection('Model', 100),
    creators: connection('Creator', 200),
    tags: connection('Tag', 200),
    model: { type: 'Model', calls: 1 },
    modelVersion: { type: 'ModelVersion', calls: 1 },
    creator: { type: 'Creator', calls: 1 },
    tag: { type: 'Tag', calls: 1 },
    node: { type: 'Node', calls: 1 },
    nodes: { type: 'Node', size: (a) => (Array.isArray(a.ids) ? a.ids.length : 1), calls: (a) => (Array.isArray(a.ids) ? a.ids.length : 1) },
  },
  Model: {
    tags: { type: 'Tag', size: () => ASSUMED.tagsPerModel, calls: () => 0 },
    creator: { type: 'Creator', calls: 0 },
    modelVersions: { type: 'ModelVersion', size: () => ASSUMED.versionsPerModel, calls: () => 0 },
  },
  ModelVersion: {
    files: { type: 'File', size: () => 1, calls: () => 0 },
    images: { type: 'Image', size: () => ASSUMED.imagesPerVersion, calls: () => 0 },
    model: { type: 'Model', calls: 0 },
  },
  Creator: { models: connection('Model', 100) },
  Tag: { models: connection('Model', 100) },
  ModelConnection: { edges: { type: 'ModelEdge', size: () => 1, calls: () => 0 }, nodes: { type: 'Model', size: () => 1, calls: () => 0 } },
  CreatorConnection: { edges: { type: 'CreatorEdge', size: () => 1, calls: () => 0 }, nodes: { type: 'Creator', size: () => 1, calls: () => 0 } },
  TagConnection: { edges: { type: 'TagEdge', size: () => 1, calls: () => 0 }, nodes: { type: 'Tag', size: () => 1, calls: () => 0 } },
  ModelEdge: { node: { type: 'Model', calls: 0 } },
  CreatorEdge: { node: { type: 'Creator', calls: 0 } },
  TagEdge: { node: { type: 'Tag', calls: 0 } },
};

/** A Node field may be any node type: charge the most expensive reading. */
const NODE_TYPES = ['Model', 'ModelVersion', 'Creator', 'Tag'];

function valueOf(node: ValueNode, variables: Args): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.LIST:
      return node.values.map((v) => valueOf(v, variables));
    case Kind.NULL:
      return null;
    default:
      return 'value' in node ? node.value : undefined;
  }
}

export function estimateUpstreamCalls(document: DocumentNode, variables: Args = {}, operationName?: string | null): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return 0;

  /** Fields selected on `type` (fragments and inline fragments flattened; unknown type conditions kept). */
  function fieldsOf(set: SelectionSetNode, type: string, seen: Set<string>): FieldNode[] {
    const out: FieldNode[] = [];
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) out.push(s);
      else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (!s.typeCondition || s.typeCondition.name.value === type || type === 'Node') out.push(...fieldsOf(s.selectionSet, type, seen));
      } else if (!seen.has(s.name.value)) {
        const fragment = fragments.get(s.name.value);
        const condition = fragment?.typeCondition.name.value;
        if (fragment && (condition === type || type === 'Node' || condition === 'Node')) {
          out.push(...fieldsOf(fragment.selectionSet, type, new Set([...seen, s.name.value])));
        }
      }
    }
    return out;
  }

  function cost(set: SelectionSetNode, type: string, times: number, depth: number): number {
    if (depth > 64 || times === 0) return 0;
    if (type === 'Node') return Math.max(...NODE_TYPES.map((t) => cost(set, t, times, depth)));
    const fields = fieldsOf(set, type, new Set());
    let total = 0;
    let chargedParent = false;
    for (const field of fields) {
      const name = field.name.value;
      if (!chargedParent && PER_PARENT[type]?.has(name)) {
        total += times; // one lookup per parent, however many of its fields need it
        chargedParent = true;
      }
      if (type === 'Image' && name === 'meta') total += times / ASSUMED.imagesPerVersion;
      const rule = FIELDS[type]?.[name];
      if (!rule || !field.selectionSet) continue;
      const args: Args = {};
      for (const a of field.arguments ?? []) args[a.name.value] = valueOf(a.value, variables);
      const size = 'size' in rule ? rule.size(args) : 1;
      const calls = typeof rule.calls === 'number' ? rule.calls : rule.calls(args);
      total += times * calls + cost(field.selectionSet, rule.type, times * size, depth + 1);
    }
    return total;
  }

  return Math.ceil(cost(operation.selectionSet, 'Query', 1, 0));
}
