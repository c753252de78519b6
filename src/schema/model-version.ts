/** `ModelVersion`: one published version of a model, with its files and images; `Query.modelVersion`. */
import type { Context } from '../context.js';
import { isDrift, type Drifting } from '../drift.js';
import type { VersionStats } from '../upstream/shapes.js';
import { asRead, through } from './drift.js';
import { orNotFound } from '../errors.js';
import { builder } from './builder.js';
import { nodesOrErrors } from './enums.js';
import { FileRef, ImageConnectionRef, ImageRef, VersionImageRef, ModelRef, ModelVersionRef, type VersionRef } from './refs.js';
import { imageConnection } from './connection.js';
import { imageFeedArgs, imageFeedFilters, selectsImageMeta } from './image-filters.js';
import * as valid from './validate.js';
import { ASSUMED_ITEMS, connectionCost, hashLookupCalls, lookupCalls, cost } from './cost.js';
import { detailOf, modelOf } from './version-detail.js';

/** A field of the version, from this representation if it has it, else from the by-id one. */
async function versionField<K extends 'createdAt' | 'updatedAt' | 'status' | 'air'>(ref: VersionRef, ctx: Context, key: K): Promise<string | null> {
  const own = ref.version[key];
  if (own !== undefined && own !== null) return asRead(own as Drifting<string>);
  if (ref.version.source === 'detail') return null;
  return asRead(((await detailOf(ref, ctx))?.[key] as Drifting<string | null> | undefined) ?? null);
}

/** The cost and resolver of a field that lists leave out: one by-id lookup, shared by all such fields of a version. */
const fromDetail = <K extends 'createdAt' | 'updatedAt' | 'status' | 'air'>(key: K) => ({
  extensions: cost({ calls: lookupCalls('modelVersion'), shares: 'versionDetail' }),
  resolve: (ref: VersionRef, _args: unknown, ctx: Context) => versionField(ref, ctx, key),
});

const VersionStatsRef = builder.objectRef<VersionStats>('ModelVersionStats').implement({
  description: 'Engagement counts of a version. Any may be null.',
  fields: (t) => ({
    downloadCount: t.int({ nullable: true, description: 'Downloads (null when the creator hides it).', resolve: (s) => asRead(s.downloadCount) }),
    thumbsUpCount: t.int({ nullable: true, description: 'Thumbs up.', resolve: (s) => asRead(s.thumbsUpCount) }),
    thumbsDownCount: t.int({ nullable: true, description: 'Thumbs down.', resolve: (s) => asRead(s.thumbsDownCount) }),
    ratingCount: t.int({ nullable: true, description: 'Ratings (no longer reported by Civitai).', deprecationReason: 'Civitai replaced ratings with thumbs up/down (always null): use thumbsUpCount and thumbsDownCount.', resolve: (s) => asRead(s.ratingCount) }),
    rating: t.float({ nullable: true, description: 'Average rating (no longer reported by Civitai).', deprecationReason: 'Civitai replaced ratings with thumbs up/down (always null): use thumbsUpCount and thumbsDownCount.', resolve: (s) => asRead(s.rating) }),
  }),
});

builder.node(ModelVersionRef, {
  description: 'A published version of a model: its files, sample images and trigger words.',
  id: { resolve: (ref) => ref.version.id, parse: Number },
  loadManyWithoutCache: async (ids: number[], ctx) =>
    nodesOrErrors(
      (await ctx.loaders.modelVersionById.loadMany(ids)).map((v) => (v instanceof Error || v === null ? v : { version: v, model: null })),
      (k) => `Model version ${ids[k]}`,
    ),
  fields: (t) => ({
    civitaiId: t.int({ description: 'Civitai\u2019s numeric id of the version.', resolve: (ref) => ref.version.id }),
    name: t.string({ description: 'The version\u2019s name (e.g. "v1.5").', resolve: (ref) => asRead(ref.version.name) }),
    description: t.string({
      nullable: true,
      description: 'Notes on this version, as HTML.',
      resolve: (ref) => asRead(ref.version.description ?? null),
    }),
    index: t.int({ nullable: true, description: 'Position among the model\u2019s versions (0 = newest).', resolve: (ref) => asRead(ref.version.index) }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the version was created. Lists omit it, so reading it from a list costs one lookup per version.',
      ...fromDetail('createdAt'),
    }),
    updatedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the version was last updated. Lists omit it, so reading it from a list costs one lookup per version.',
      ...fromDetail('updatedAt'),
    }),
    publishedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the version was published.',
      resolve: (ref) => asRead(ref.version.publishedAt ?? null),
    }),
    status: t.string({
      nullable: true,
      description: 'Publication status (Published for everything public).',
      ...fromDetail('status'),
    }),
    air: t.string({
      nullable: true,
      description: 'The AI Resource Name, e.g. "urn:air:sdxl:checkpoint:civitai:827184@2514310".',
      ...fromDetail('air'),
    }),
    downloadUrl: t.string({
      nullable: true,
      description: 'Download URL of the primary file (null for archived models). It answers with a Content-Disposition filename.',
      resolve: (ref) => asRead(ref.version.downloadUrl),
    }),
    trainedWords: t.stringList({ description: 'Words that trigger the model in a prompt.', resolve: (ref) => asRead(ref.version.trainedWords) }),
    baseModel: t.string({ nullable: true, description: 'The base model it targets (e.g. "SDXL 1.0"); an open set.', resolve: (ref) => asRead(ref.version.baseModel) }),
    baseModelType: t.string({ nullable: true, description: 'Standard, Inpainting, Refiner or Pix2Pix.', resolve: (ref) => asRead(ref.version.baseModelType) }),
    nsfwLevel: t.int({ nullable: true, description: 'Bitmask of content levels: 1 PG, 2 PG-13, 4 R, 8 X, 16 XXX.', resolve: (ref) => asRead(ref.version.nsfwLevel) }),
    availability: t.string({ nullable: true, description: 'Public, EarlyAccess, … as Civitai reports it.', resolve: (ref) => asRead(ref.version.availability) }),
    stats: t.field({ type: VersionStatsRef, nullable: true, description: 'Engagement counts.', resolve: (ref) => asRead(ref.version.stats) }),
  }),
});

/** What a version holds and belongs to: its files, sample images, image feed and model. */
builder.objectFields(ModelVersionRef, (t) => ({
  files: t.field({
    type: [FileRef],
    description: 'Its files; the primary one first is not guaranteed, see `primary`. Empty for archived models.',
    extensions: cost({ calls: 0, items: ASSUMED_ITEMS.filesPerVersion }),
    resolve: (ref) =>
      through(ref.version.files, (files) => {
        const url = isDrift(ref.version.downloadUrl) ? null : ref.version.downloadUrl;
        return files.map((file) => ({ file, versionDownloadUrl: files.length === 1 || file.primary === true ? url : null }));
      }),
  }),
  images: t.field({
    type: [VersionImageRef],
    description: 'Sample images (Civitai sends at most 20 per version in lists, 10 by id). Empty for taken-down models.',
    extensions: cost({ calls: 0, items: ASSUMED_ITEMS.imagesPerVersion }),
    resolve: (ref) => through(ref.version.images, (images) => images.map((image) => ({ image, version: ref }))),
  }),
  gallery: t.connection(
    {
      type: ImageRef,
      description: 'The images feed of this version: everything posted with it, not only the samples of `images`. Pages forward only.',
      args: imageFeedArgs,
      extensions: connectionCost('images'),
      resolve: (ref, args, ctx, info) =>
        imageConnection(ctx, args, { ...imageFeedFilters(args), modelVersionId: ref.version.id }, selectsImageMeta(info)),
    },
    ImageConnectionRef,
  ),
  model: t.field({
    type: ModelRef,
    description: 'The model this version belongs to.',
    extensions: cost({ calls: lookupCalls('model') }),
    resolve: (ref, _args, ctx) => ref.model ?? modelOf(ref.version, ctx),
  }),
}));

builder.queryField('modelVersion', (t) =>
  t.field({
    type: ModelVersionRef,
    nullable: true,
    description: 'A model version by its Civitai id. Null, with a NOT_FOUND error, when Civitai has no such version.',
    args: { id: t.arg.int({ required: true, description: 'Civitai\u2019s numeric version id.' }) },
    extensions: cost({ calls: lookupCalls('modelVersion') }),
    resolve: async (_root, args, ctx) => {
      const id = valid.civitaiId('id', args.id);
      return { version: orNotFound(await ctx.loaders.modelVersionById.load(id), `Model version ${id}`), model: null };
    },
  }),
);

builder.queryFields((t) => ({
  modelVersionByHash: t.field({
    type: ModelVersionRef,
    nullable: true,
    description:
      'The model version a file belongs to, by one of the file\u2019s hashes (any kind: AutoV1, AutoV2, AutoV3, SHA256, CRC32, BLAKE3; case-insensitive). ' +
      'Where several versions hold the same file, the earliest published one. Null, with a NOT_FOUND error, when no file has the hash. ' +
      'Several of these fields in one request are looked up together, as `modelVersionsByHash` does.',
    args: { hash: t.arg.string({ required: true, description: 'A file hash in hex (8, 10, 12 or 64 digits).' }) },
    extensions: cost({ calls: (args, facts) => hashLookupCalls([args.hash], facts) }),
    resolve: async (_root, args, ctx) => {
      const hash = valid.fileHash('hash', args.hash);
      return { version: orNotFound(await ctx.loaders.modelVersionByHash.load(hash), `Model version with hash ${hash}`), model: null };
    },
  }),
  modelVersionsByHash: t.field({
    type: [ModelVersionRef],
    nullable: { list: false, items: true },
    description:
      'Model versions by file hashes, in the order asked: at each position the version of a file with that hash (as `modelVersionByHash`), ' +
      'or null with a NOT_FOUND error. SHA256 hashes are looked up 100 per upstream call; other kinds, and 64-digit hashes that are no file\u2019s SHA256 (BLAKE3), one call each. ' +
      'At most 1,000 hashes.',
    args: { hashes: t.arg.stringList({ required: true, description: 'File hashes in hex (8, 10, 12 or 64 digits each), at most 1,000.' }) },
    extensions: cost({
      calls: (args, facts) => hashLookupCalls(Array.isArray(args.hashes) ? args.hashes : [], facts),
      items: (args) => (Array.isArray(args.hashes) ? args.hashes.length : 0),
    }),
    resolve: async (_root, args, ctx) => {
      const hashes = valid.fileHashes('hashes', args.hashes);
      const found = await ctx.loaders.modelVersionByHash.loadMany(hashes);
      return nodesOrErrors(
        found.map((v) => (v instanceof Error || v === null ? v : { version: v, model: null })),
        (k) => `Model version with hash ${hashes[k]}`,
      );
    },
  }),
}));
