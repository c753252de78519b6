/** `Model`: a Civitai model with its versions, tags and creator; `Query.model` and `Query.models`. */
import type { UpstreamModel } from '../upstream/models.js';
import { isDrift, known } from '../drift.js';
import type { ModelStats } from '../upstream/shapes.js';
import { asRead, through } from './drift.js';
import { BadUserInputError, orNotFound } from '../errors.js';
import { builder } from './builder.js';
import { imageConnection, modelConnection, type ModelFilters } from './connection.js';
import { imageFeedArgs, imageFeedFilters, selectsImageMeta } from './image-filters.js';
import { ASSUMED_ITEMS, connectionCost, lookupCalls, cost } from './cost.js';
import { ModelTypeEnum, modelTypeOf, nodesOrErrors } from './enums.js';
import { MODEL_CONNECTION_COST, modelListArgs, modelListFilters } from './model-filters.js';
import { CreatorRef, ImageConnectionRef, ImageRef, ModelConnectionRef, ModelRef, ModelVersionRef, TagRef } from './refs.js';
import { creatorLookupsWanted, creatorsToPrime } from './prime.js';
import * as valid from './validate.js';

const ModelStatsRef = builder.objectRef<ModelStats>('ModelStats').implement({
  description: 'Engagement counts of a model. Any may be null: Civitai drops or hides them over time.',
  fields: (t) => ({
    downloadCount: t.int({ nullable: true, description: 'Downloads (null when the creator hides it).', resolve: (s) => asRead(s.downloadCount) }),
    favoriteCount: t.int({ nullable: true, description: 'Favourites (no longer reported by Civitai).', deprecationReason: 'Civitai no longer reports favourites (always null): use thumbsUpCount.', resolve: (s) => asRead(s.favoriteCount) }),
    thumbsUpCount: t.int({ nullable: true, description: 'Thumbs up.', resolve: (s) => asRead(s.thumbsUpCount) }),
    thumbsDownCount: t.int({ nullable: true, description: 'Thumbs down.', resolve: (s) => asRead(s.thumbsDownCount) }),
    commentCount: t.int({ nullable: true, description: 'Comments.', resolve: (s) => asRead(s.commentCount) }),
    ratingCount: t.int({ nullable: true, description: 'Ratings (no longer reported by Civitai).', deprecationReason: 'Civitai replaced ratings with thumbs up/down (always null): use thumbsUpCount and thumbsDownCount.', resolve: (s) => asRead(s.ratingCount) }),
    rating: t.float({ nullable: true, description: 'Average rating (no longer reported by Civitai).', deprecationReason: 'Civitai replaced ratings with thumbs up/down (always null): use thumbsUpCount and thumbsDownCount.', resolve: (s) => asRead(s.rating) }),
    tippedAmountCount: t.int({ nullable: true, description: 'Buzz tipped (null when hidden).', resolve: (s) => asRead(s.tippedAmountCount) }),
  }),
});

builder.node(ModelRef, {
  description: 'A model published on Civitai: a checkpoint, LoRA, embedding… with its versions.',
  id: { resolve: (model) => model.id, parse: Number },
  loadManyWithoutCache: async (ids: number[], ctx) => nodesOrErrors(await ctx.loaders.modelById.loadMany(ids), (k) => `Model ${ids[k]}`),
  fields: (t) => ({
    civitaiId: t.exposeInt('id', { description: 'Civitai\u2019s numeric id of the model.' }),
    name: t.string({ description: 'The model\u2019s name.', resolve: (m) => asRead(m.name) }),
    description: t.string({ nullable: true, description: 'The model\u2019s description, as HTML.', resolve: (m) => asRead(m.description) }),
    type: t.field({
      type: ModelTypeEnum,
      description: 'The kind of model; UNKNOWN for kinds this API does not know yet (see `typeName`).',
      resolve: (model) => through(model.type, modelTypeOf),
    }),
    typeName: t.string({ resolve: (m) => asRead(m.type), description: 'Civitai\u2019s own name for the kind of model (e.g. "LORA"), including kinds newer than this API.' }),
    nsfw: t.boolean({ resolve: (m) => asRead(m.nsfw), description: 'Whether the model is NSFW. If it is, every image on it is reported NSFW too.' }),
    nsfwLevel: t.int({
      resolve: (m) => asRead(m.nsfwLevel),
      nullable: true,
      description: 'Bitmask of the content levels across its versions: 1 PG, 2 PG-13, 4 R, 8 X, 16 XXX.',
    }),
    poi: t.boolean({ resolve: (m) => asRead(m.poi), nullable: true, description: 'Whether the model depicts a real person of interest.' }),
    availability: t.string({ resolve: (m) => asRead(m.availability), nullable: true, description: 'Public, EarlyAccess, … as Civitai reports it.' }),
    archived: t.boolean({ description: 'Archived by its creator: files are no longer downloadable.', resolve: (m) => through(m.mode, (mode) => mode === 'Archived') }),
    takenDown: t.boolean({ description: 'Taken down by Civitai: images are withheld.', resolve: (m) => through(m.mode, (mode) => mode === 'TakenDown') }),
    allowCommercialUse: t.stringList({ resolve: (m) => asRead(m.allowCommercialUse), description: 'Commercial uses the licence allows (e.g. Image, RentCivit, Sell).' }),
    allowNoCredit: t.boolean({ resolve: (m) => asRead(m.allowNoCredit), nullable: true, description: 'Whether use without crediting the creator is allowed.' }),
    allowDerivatives: t.boolean({ resolve: (m) => asRead(m.allowDerivatives), nullable: true, description: 'Whether derivatives (merges) are allowed.' }),
    allowDifferentLicense: t.boolean({ resolve: (m) => asRead(m.allowDifferentLicense), nullable: true, description: 'Whether derivatives may use another licence.' }),
    supportsGeneration: t.boolean({ resolve: (m) => asRead(m.supportsGeneration), nullable: true, description: 'Whether Civitai can generate with it on site.' }),
    baseModels: t.stringList({
      description:
        'The base models its versions target (e.g. "SDXL 1.0"), each once: as Civitai lists them, all versions counted even when `modelVersions` was narrowed by a filter; else from its versions (empty when they do not say, as 2022-style answers).',
      resolve: (m) => asRead(m.baseModels) ?? through(m.modelVersions, (versions) => [...new Set(versions.flatMap((v) => (typeof v.baseModel === 'string' && v.baseModel ? [v.baseModel] : [])))]),
    }),
    stats: t.field({ type: ModelStatsRef, nullable: true, description: 'Engagement counts.', resolve: (m) => asRead(m.stats) }),
    tags: t.field({
      type: [TagRef],
      description: 'The tags on the model.',
      extensions: cost({ calls: 0, items: ASSUMED_ITEMS.tagsPerModel }),
      resolve: (model) => through(model.tags, (tags) => tags.map((name) => ({ name }))),
    }),
    creator: t.field({
      type: CreatorRef,
      nullable: true,
      description: 'Who published it; null for models of deleted or system accounts.',
      resolve: (model) => through(model.creator, (c) => (c ? { username: c.username, image: asRead(c.image) } : null)),
    }),
    modelVersions: t.field({
      type: [ModelVersionRef],
      description: 'Its published versions, newest first as Civitai orders them.',
      extensions: cost({ calls: 0, items: ASSUMED_ITEMS.versionsPerModel }),
      resolve: (model) => through(model.modelVersions, (versions) => versions.map((version) => ({ version, model }))),
    }),
    images: t.connection(
      {
        type: ImageRef,
        description:
          'The images feed of this model, from every version. Civitai lists a feed by model alone newest first whatever the sort but OLDEST. Pages forward only.',
        args: imageFeedArgs,
        extensions: connectionCost('images'),
        resolve: (model, args, ctx, info) => imageConnection(ctx, args, { ...imageFeedFilters(args), modelId: model.id }, selectsImageMeta(info)),
      },
      ImageConnectionRef,
    ),
  }),
});

builder.queryFields((t) => ({
  model: t.field({
    type: ModelRef,
    nullable: true,
    description: 'A model by its Civitai id. Null, with a NOT_FOUND error, when Civitai has no such model.',
    args: { id: t.arg.int({ required: true, description: 'Civitai\u2019s numeric model id.' }) },
    extensions: cost({ calls: lookupCalls('model') }),
    resolve: async (_root, args, ctx) => {
      const id = valid.civitaiId('id', args.id);
      return orNotFound(await ctx.loaders.modelById.load(id), `Model ${id}`);
    },
  }),
  models: t.connection(
    {
      type: ModelRef,
      description:
        'Models, filtered and sorted like Civitai\u2019s /models. Without `nsfw: true` only PG-level models are listed (Civitai\u2019s default).',
      args: {
        query: t.arg.string({ description: 'Full-text search on the name. Search results page forward only.' }),
        tag: t.arg.string({ description: 'Only models with this tag (exact name, case-insensitive). An unknown tag matches nothing.' }),
        username: t.arg.string({ description: 'Only models by this creator. An unknown creator matches nothing.' }),
        rating: t.arg.float({
          description: 'Minimum rating, 0–5 (Civitai has ignored it since 2024).',
          deprecationReason: 'Civitai ignores it: every model is listed whatever its value.',
        }),
        ...modelListArgs,
      },
      extensions: MODEL_CONNECTION_COST,
      resolve: async (_root, args, ctx, info) => {
        const filters: ModelFilters = {
          query: valid.optionalText('query', args.query),
          tag: valid.optionalText('tag', args.tag),
          username: valid.optionalText('username', args.username),
          rating: valid.rating(args.rating),
          ...modelListFilters(args, ctx.credential.authorization !== undefined),
        };
        // Civitai ignores `ids` in a search: refuse the pair rather than drop one.
        if (filters.query !== undefined && filters.ids) throw new BadUserInputError('`ids` cannot be combined with `query`: Civitai ignores ids in a search.');
        const wanted = creatorLookupsWanted(info);
        const page = await modelConnection(ctx, args, filters);
        ctx.loaders.primeCreators(creatorsToPrime(page.edges.map((e) => e.node), wanted));
        return page;
      },
    },
    ModelConnectionRef,
  ),
}));
