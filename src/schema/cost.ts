/**
 * What a field may cost upstream, declared where the field is defined (STYLE habit 13) and read
 * by the cost plan (`src/plugins/query-cost.ts`) from the built schema. A field says it with
 * `extensions: cost({...})`. A field may leave it out only when it cannot reach the loaders:
 * exposed fields and resolvers declared with fewer than three parameters (no context, so no
 * loader). Any other field without a declaration fails `test/unit/field-costs.test.ts`.
 */
import { getNullableType, isCompositeType, getNamedType, isListType, type GraphQLField } from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination/args.js';
import { maxCallsForWindow } from '../pagination/bounds.js';
import type { UpstreamCostFacts } from '../upstream/index.js';
import { decodeNodeId } from './global-id.js';

export type CostArgs = Readonly<Record<string, unknown>>;
/** A number, or a function of the field's arguments and of what upstream calls cost (owned by src/upstream). */
type PerArgs = number | ((args: CostArgs, facts: UpstreamCostFacts) => number);

export interface FieldCost {
  /** Upstream calls the field may make for each parent object. */
  readonly calls: PerArgs;
  /**
   * Fields of one parent naming the same key go through one DataLoader key (the same lookup):
   * the parent pays the largest of them once.
   */
  readonly shares?: string;
  /**
   * The lookup depends only on the list the parent sits in (its own parent), not on the item:
   * charged once per list, not per item (an image's `meta` loads its version once).
   */
  readonly oncePerList?: boolean;
  /** Calls made at most once per operation, however many parents (a process-wide probe). */
  readonly oncePerOperation?: number;
  /**
   * For a list of objects: at most how many items it holds. `'window'`: the window of the
   * connection this list belongs to.
   */
  readonly items?: PerArgs | 'window';
  /** For a connection: how many items its window holds (its `edges` and `nodes` lists). */
  readonly window?: (args: CostArgs) => number;
}

export const COST_EXTENSION = 'upstreamCost';

/** `extensions` of a field that declares its cost. */
export function cost(declaration: FieldCost): { [COST_EXTENSION]: FieldCost } {
  return { [COST_EXTENSION]: declaration };
}

/** A field that only reads what its parent holds. */
export const FREE = cost({ calls: 0 });

type LookupKind = keyof UpstreamCostFacts['callsPerLookup'];

/** The calls one lookup by key may make (src/upstream owns the figures). */
export const lookupCalls =
  (kind: LookupKind) =>
  (_args: CostArgs, facts: UpstreamCostFacts): number =>
    facts.callsPerLookup[kind];

/**
 * Calls to look versions up by these file hashes: 64-digit ones share batch calls and may each
 * need one GET more (a BLAKE3 hash looks like SHA256, and the batch matches SHA256 only); the
 * other kinds one GET each. Duplicates (case-insensitive) are looked up once; a hash of no
 * valid form is refused before any call.
 */
export function hashLookupCalls(hashes: readonly unknown[], facts: UpstreamCostFacts): number {
  const unique = new Set(hashes.filter((h): h is string => typeof h === 'string').map((h) => h.trim().toUpperCase()));
  const batchable = [...unique].filter((h) => h.length === facts.hashLookup.batchableLength).length;
  return Math.ceil(batchable / facts.hashLookup.batchSize) + unique.size;
}

const NODE_LOOKUP: Record<string, LookupKind> = { Model: 'model', ModelVersion: 'modelVersion', Creator: 'creator', Tag: 'tag', Image: 'image' };

/**
 * Calls to fetch nodes by global ID: each ID costs the lookup of its type. An ID that does not
 * decode is refused before any call.
 */
export function nodeLookupCalls(ids: readonly unknown[], facts: UpstreamCostFacts): number {
  const dearest = Math.max(...Object.values(facts.callsPerLookup));
  let calls = 0;
  for (const id of ids) {
    try {
      const kind = NODE_LOOKUP[decodeNodeId(String(id)).typename];
      calls += kind ? facts.callsPerLookup[kind] : dearest;
    } catch {
      // refused before any call
    }
  }
  return calls;
}

/**
 * Lists whose length the query cannot bound, charged at these sizes. Images are a true bound
 * (Civitai sends at most 20 per version in lists, 10 by id); the others are typical sizes, not
 * limits Civitai enforces.
 */
export const ASSUMED_ITEMS = { tagsPerModel: 8, versionsPerModel: 4, imagesPerVersion: 20, filesPerVersion: 8, hashesPerFile: 8, versionsPerImage: 8 } as const;

/** The window a connection's Relay arguments ask for: `first` or `last`, else the default; an out-of-range size is refused before any call. */
export function windowSize(args: CostArgs): number {
  const n = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) return 0;
  return n;
}

/** The declaration of a connection field over one of the upstream's lists. */
export function connectionCost(list: keyof UpstreamCostFacts['pageCaps']): { [COST_EXTENSION]: FieldCost } {
  return cost({ calls: (args, facts) => maxCallsForWindow(windowSize(args), facts.pageCaps[list]), window: windowSize });
}

/** The `edges` and `nodes` lists of a connection: as long as its window, and free. */
export const WINDOW_LIST = cost({ calls: 0, items: 'window' });

export type CostReading =
  | { kind: 'declared'; cost: FieldCost }
  /** No declaration, and none needed: the field cannot reach the loaders. */
  | { kind: 'free' }
  | { kind: 'undeclared'; why: string };

/** How the plan reads a field of the built schema. */
export function costOf(field: GraphQLField<unknown, unknown>): CostReading {
  const type = getNullableType(field.type);
  const listOfObjects = isListType(type) && isCompositeType(getNamedType(type));
  const declared = field.extensions?.[COST_EXTENSION] as FieldCost | undefined;
  if (declared) {
    if (listOfObjects && declared.items === undefined) return { kind: 'undeclared', why: 'it is a list of objects without `items`' };
    return { kind: 'declared', cost: declared };
  }
  // Pothos keeps the options a field was defined with; the built resolver may be a wrapper.
  const options = field.extensions?.pothosOptions as { resolve?: (...args: unknown[]) => unknown } | undefined;
  const resolve = options ? options.resolve : field.resolve;
  if (resolve && resolve.length >= 3) return { kind: 'undeclared', why: 'its resolver takes the context, so it may call a loader' };
  if (listOfObjects) return { kind: 'undeclared', why: 'it is a list of objects without `items`' };
  return { kind: 'free' };
}
