/**
 * Cold-path head start: the creators a models page will look up, known from the list answer
 * before the tree under it is resolved. graphql-js resolves the whole page (50 models, their
 * versions, files, images) before DataLoader dispatches the batch of creator lookups that page
 * asked for; starting those lookups as soon as the list answer arrives lets them travel while
 * the tree resolves. Only lookups the selection will make anyway are started (same call count):
 * `creator { modelCount }` always needs one, `creator { image }` when the list did not carry
 * the avatar. Fields under @skip/@include are collected as graphql-js collects them.
 */
import { getNamedType, isObjectType, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields.js';
import type { UpstreamModel } from '../upstream/models.js';
import { isDrift } from '../drift.js';

type Wanted = { modelCount: boolean; image: boolean };

function subfields(info: GraphQLResolveInfo, type: GraphQLObjectType, nodes: readonly FieldNode[]): Map<string, FieldNode[]> {
  const byName = new Map<string, FieldNode[]>();
  for (const fieldNodes of collectSubfields(info.schema, info.fragments, info.variableValues, type, nodes).values()) {
    const name = fieldNodes[0]?.name.value;
    if (name !== undefined) byName.set(name, [...(byName.get(name) ?? []), ...fieldNodes]);
  }
  return byName;
}

function objectTypeOf(info: GraphQLResolveInfo, parent: GraphQLObjectType, field: string): GraphQLObjectType | undefined {
  const type = parent.getFields()[field]?.type;
  const named = type === undefined ? undefined : getNamedType(type);
  return named && isObjectType(named) ? named : undefined;
}

/** Which creator lookups a models connection's selection makes for each model. */
export function creatorLookupsWanted(info: GraphQLResolveInfo): Wanted {
  const wanted: Wanted = { modelCount: false, image: false };
  const connection = getNamedType(info.returnType);
  if (!isObjectType(connection)) return wanted;
  const atConnection = subfields(info, connection, info.fieldNodes);
  const modelSelections: Array<[GraphQLObjectType, FieldNode[]]> = [];
  const nodesType = objectTypeOf(info, connection, 'nodes');
  const nodes = atConnection.get('nodes');
  if (nodesType && nodes) modelSelections.push([nodesType, nodes]);
  const edgeType = objectTypeOf(info, connection, 'edges');
  const edges = atConnection.get('edges');
  if (edgeType && edges) {
    const node = subfields(info, edgeType, edges).get('node');
    const nodeType = objectTypeOf(info, edgeType, 'node');
    if (node && nodeType) modelSelections.push([nodeType, node]);
  }
  for (const [modelType, selection] of modelSelections) {
    const creator = subfields(info, modelType, selection).get('creator');
    const creatorType = objectTypeOf(info, modelType, 'creator');
    if (!creator || !creatorType) continue;
    const fields = subfields(info, creatorType, creator);
    if (fields.has('modelCount')) wanted.modelCount = true;
    if (fields.has('image')) wanted.image = true;
  }
  return wanted;
}

/** The usernames whose lookups the page's selection will make. */
export function creatorsToPrime(models: Iterable<UpstreamModel>, wanted: Wanted): string[] {
  if (!wanted.modelCount && !wanted.image) return [];
  const names = new Set<string>();
  for (const model of models) {
    const creator = model.creator;
    if (creator && !isDrift(creator) && (wanted.modelCount || creator.image === undefined)) names.add(creator.username);
  }
  return [...names];
}
