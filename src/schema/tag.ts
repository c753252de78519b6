/** `Tag`: a label on models; `Query.tag` and `Query.tags`. */
import { orNotFound } from '../errors.js';
import { builder } from './builder.js';
import { nodesOrErrors } from './enums.js';
import { modelConnection, tagConnection } from './connection.js';
import { connectionCost, lookupCalls, cost } from './cost.js';
import { MODEL_CONNECTION_COST, modelListArgs, modelListFilters } from './model-filters.js';
import { ModelConnectionRef, ModelRef, TagRef } from './refs.js';
import * as valid from './validate.js';
import { asRead } from './drift.js';

builder.node(TagRef, {
  description: 'A label that models carry, such as "anime" or "style".',
  id: { resolve: (tag) => tag.name },
  loadManyWithoutCache: async (names: string[], ctx) => nodesOrErrors(await ctx.loaders.tagByName.loadMany(names), (k) => `Tag "${names[k]}"`),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The tag\u2019s name.' }),
    modelCount: t.int({
      nullable: true,
      description: 'How many models carry the tag, when Civitai reports it; the live API stopped reporting it in 2025 (null).',
      // One lookup per tag, after a probe of whether the upstream reports counts at all.
      extensions: cost({ calls: lookupCalls('tag'), oncePerOperation: 1 }),
      resolve: async (tag, _args, ctx) => asRead(tag.modelCount !== undefined ? tag.modelCount : await ctx.loaders.tagModelCount(tag.name)),
    }),
    models: t.connection(
      {
        type: ModelRef,
        description: 'Models with this tag. Without `nsfw: true` only PG-level models are listed.',
        args: modelListArgs,
        extensions: MODEL_CONNECTION_COST,
        resolve: (tag, args, ctx) => modelConnection(ctx, args, { ...modelListFilters(args, ctx.credential.authorization !== undefined), tag: tag.name }),
      },
      ModelConnectionRef,
    ),
  }),
});

const TagConnectionRef = builder.connectionObject(
  { type: TagRef, name: 'TagConnection', description: 'A window of the tag list.' },
  { name: 'TagEdge', description: 'A tag in a list, with its cursor.' },
);

builder.queryFields((t) => ({
  tag: t.field({
    type: TagRef,
    nullable: true,
    description: 'A tag by exact name (case-insensitive). Null, with a NOT_FOUND error, when Civitai has no such tag.',
    args: { name: t.arg.string({ required: true, description: 'The tag\u2019s name.' }) },
    extensions: cost({ calls: lookupCalls('tag') }),
    resolve: async (_root, args, ctx) => {
      const name = valid.name('name', args.name);
      return orNotFound(await ctx.loaders.tagByName.load(name), `Tag "${name}"`);
    },
  }),
  tags: t.connection(
    {
      type: TagRef,
      description: 'Tags. Without `query`, Civitai lists its featured tags, most used first; with it, tags starting with the text, shortest first.',
      args: { query: t.arg.string({ description: 'Only tags whose name starts with this text.' }) },
      extensions: connectionCost('tags'),
      resolve: (_root, args, ctx) => tagConnection(ctx, args, valid.optionalText('query', args.query)),
    },
    TagConnectionRef,
  ),
}));
