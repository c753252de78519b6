/**
 * The one SchemaBuilder: plugins, scalars, Context and the Relay options. Types live in their
 * own files; `index.ts` assembles them.
 */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { Context } from '../context.js';
import { FREE, WINDOW_LIST, cost, nodeLookupCalls } from './cost.js';
import { decodeNodeIdOrMark, encodeNodeId, malformedIdError } from './global-id.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  Connection: { totalCount: number | null };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  // Nullable: an item whose non-null field Civitai sent unreadable is null alone, not its page.
  DefaultNodeNullability: true;
}>({
  plugins: [RelayPlugin],
  // Fields are non-null unless they say otherwise: nullability is a decision per field.
  defaultFieldNullability: false,
  relay: {
    encodeGlobalID: encodeNodeId,
    // Never throws: a malformed ID fails its own `node`/`nodes` item (the resolvers below), not the whole field.
    decodeGlobalID: decodeNodeIdOrMark,
    nodesOnConnection: { description: 'The items of this window, without cursors.', extensions: WINDOW_LIST },
    edgesFieldOptions: { nullable: false, description: 'The items of this window, with their cursors.', extensions: WINDOW_LIST },
    nodeFieldOptions: { nullable: true, description: 'The item; null (with an error at its field) when Civitai sent a part of it this API cannot read.' },
    pageInfoFieldOptions: { description: 'Where this window stands in the list.' },
    // Nullable, so a connection whose upstream fails is null with its own error and the rest of the
    // query keeps its data (a non-null one would null its parent, up to `data` itself).
    defaultConnectionFieldOptions: { nullable: true },
    nodeTypeOptions: { description: 'An object with a global ID that `node` and `nodes` can fetch again.' },
    pageInfoTypeOptions: { description: 'Where a connection window stands in its list.' },
    nodeQueryOptions: {
      description: 'Fetches any object by its global ID. Null, with a NOT_FOUND error, when it does not exist.',
      args: { id: { description: 'A global ID from any `id` field.' } },
      extensions: cost({ calls: (args, facts) => nodeLookupCalls([args.id], facts) }),
      resolve: (_root, args, _ctx, _info, resolveNode) => {
        const malformed = malformedIdError(args.id);
        if (malformed) throw malformed;
        return resolveNode(args.id);
      },
    },
    nodesQueryOptions: {
      description: 'Fetches objects by global ID, in the order given; null (with a NOT_FOUND error) for each that does not exist.',
      args: { ids: { description: 'Global IDs from any `id` fields.' } },
      extensions: cost({
        calls: (args, facts) => nodeLookupCalls(Array.isArray(args.ids) ? args.ids : [], facts),
        items: (args) => (Array.isArray(args.ids) ? args.ids.length : 0),
      }),
      // Pothos' resolveNodes reads `args.ids` itself and skips null entries: malformed IDs are
      // nulled there and answered with their own BAD_USER_INPUT error at their index.
      resolve: async (_root, args, _ctx, _info, resolveNodes) => {
        const errors = args.ids.map((id) => malformedIdError(id));
        args.ids = args.ids.map((id, k) => (errors[k] ? (null as unknown as typeof id) : id));
        const nodes = await resolveNodes(args.ids);
        return nodes.map((node, k) => errors[k] ?? node);
      },
    },
    idFieldOptions: { description: 'Global ID: stable, opaque, accepted by `node` and `nodes`.', extensions: FREE },
    cursorFieldOptions: { description: 'Opaque cursor of this edge, for `after` or `before`.' },
    hasNextPageFieldOptions: { description: 'Whether more items follow this window.' },
    hasPreviousPageFieldOptions: { description: 'Whether items precede this window.' },
    startCursorFieldOptions: { description: 'Cursor of the first edge, or null when the window is empty.' },
    endCursorFieldOptions: { description: 'Cursor of the last edge, or null when the window is empty.' },
    firstArgOptions: { description: 'Number of items after `after` (default 20, at most 100).' },
    afterArgOptions: { description: 'Cursor to start after (from `pageInfo.endCursor` or an edge).' },
    lastArgOptions: { description: 'Number of items before `before` (at most 100).' },
    beforeArgOptions: { description: 'Cursor to end before (from `pageInfo.startCursor` or an edge).' },
  },
});

builder.queryType({ description: 'The Civitai catalogue: models, their versions, creators and tags.' });

builder.addScalarType('DateTime', DateTimeResolver, {
  description: 'A date-time in UTC, as an RFC 3339 string (e.g. 2024-03-01T12:00:00.000Z).',
  specifiedByURL: 'https://scalars.graphql.org/andimarek/date-time',
});
builder.addScalarType('JSON', JSONResolver, { description: 'Arbitrary JSON, passed through as Civitai sent it.' });

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    nullable: true,
    description: 'How many items the whole list holds: exact when Civitai reports it, otherwise null (never a guess).',
    resolve: (parent) => parent.totalCount,
  }),
);
