/** `Creator`: a Civitai user who publishes models; `Query.creator` and `Query.creators`. */
import type { Context } from '../context.js';
import { orNotFound } from '../errors.js';
import { builder } from './builder.js';
import { nodesOrErrors } from './enums.js';
import { creatorConnection, imageConnection, modelConnection } from './connection.js';
import { imageFeedArgs, imageFeedFilters, selectsImageMeta } from './image-filters.js';
import { connectionCost, lookupCalls, cost } from './cost.js';
import { MODEL_CONNECTION_COST, modelListArgs, modelListFilters } from './model-filters.js';
import { CreatorRef, ImageConnectionRef, ImageRef, ModelConnectionRef, ModelRef, type CreatorSource } from './refs.js';
import * as valid from './validate.js';
import { asRead } from './drift.js';

/** The creator as Civitai lists it, or null when it does not. */
function listed(source: CreatorSource, ctx: Context) {
  return ctx.loaders.creatorByUsername.load(source.username);
}

builder.node(CreatorRef, {
  description:
    'A Civitai user who has created models. Civitai lists users with at least one model of any status (drafts included), so a creator may have no published model yet (`modelCount` 0, `models` empty).',
  id: { resolve: (c) => c.username },
  loadManyWithoutCache: async (usernames: string[], ctx) =>
    nodesOrErrors(await ctx.loaders.creatorByUsername.loadMany(usernames), (k) => `Creator "${usernames[k]}"`),
  fields: (t) => ({
    username: t.exposeString('username', { description: 'The creator\u2019s username.' }),
    image: t.string({
      nullable: true,
      description: 'URL of the creator\u2019s avatar, or null.',
      extensions: cost({ calls: lookupCalls('creator'), shares: 'creatorByUsername' }),
      resolve: async (c, _args, ctx) => asRead(c.image !== undefined ? c.image : ((await listed(c, ctx))?.image ?? null)),
    }),
    modelCount: t.int({
      nullable: true,
      description:
        'Published models of every content level (so it can exceed what `models` lists without `nsfw: true`). Null when Civitai does not list the creator.',
      extensions: cost({ calls: lookupCalls('creator'), shares: 'creatorByUsername' }),
      resolve: async (c, _args, ctx) => asRead(c.modelCount !== undefined ? c.modelCount : ((await listed(c, ctx))?.modelCount ?? null)),
    }),
    models: t.connection(
      {
        type: ModelRef,
        description: 'The creator\u2019s models. Without `nsfw: true` only PG-level models are listed.',
        args: modelListArgs,
        extensions: MODEL_CONNECTION_COST,
        resolve: (c, args, ctx) => modelConnection(ctx, args, { ...modelListFilters(args, ctx.credential.authorization !== undefined), username: c.username }),
      },
      ModelConnectionRef,
    ),
    images: t.connection(
      {
        type: ImageRef,
        description: 'Images the creator posted, in the order of `sort`. Pages forward only.',
        args: imageFeedArgs,
        extensions: connectionCost('images'),
        resolve: (c, args, ctx, info) => imageConnection(ctx, args, { ...imageFeedFilters(args), username: c.username }, selectsImageMeta(info)),
      },
      ImageConnectionRef,
    ),
  }),
});

const CreatorConnectionRef = builder.connectionObject(
  { type: CreatorRef, name: 'CreatorConnection', description: 'A window of the creator list.' },
  { name: 'CreatorEdge', description: 'A creator in a list, with its cursor.' },
);

builder.queryFields((t) => ({
  creator: t.field({
    type: CreatorRef,
    nullable: true,
    description: 'A creator by exact username. Null, with a NOT_FOUND error, when Civitai lists no such creator.',
    args: { username: t.arg.string({ required: true, description: 'The exact username.' }) },
    extensions: cost({ calls: lookupCalls('creator') }),
    resolve: async (_root, args, ctx) => {
      const username = valid.name('username', args.username);
      return orNotFound(await ctx.loaders.creatorByUsername.load(username), `Creator "${username}"`);
    },
  }),
  creators: t.connection(
    {
      type: CreatorRef,
      description: 'Creators as Civitai lists them, in its order: users with at least one model of any status, so some have no published model (`modelCount` 0).',
      args: { query: t.arg.string({ description: 'Only creators whose username contains this text.' }) },
      extensions: connectionCost('creators'),
      resolve: (_root, args, ctx) => creatorConnection(ctx, args, valid.optionalText('query', args.query)),
    },
    CreatorConnectionRef,
  ),
}));
