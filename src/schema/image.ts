/**
 * `Image`: an image (or video, audio) of Civitai's images feed, a node; `Query.images`.
 * `VersionImage`: a sample image in a version's own list, as the model and version routes give it.
 */
import type { UpstreamFeedImage } from '../upstream/images.js';
import { builder } from './builder.js';
import { imageConnection } from './connection.js';
import { ASSUMED_ITEMS, connectionCost, cost, lookupCalls } from './cost.js';
import { MediaTypeEnum, mediaTypeOf, nodesOrErrors } from './enums.js';
import { encodeNodeId } from './global-id.js';
import { imageFeedArgs, imageFeedFilters, selectsImageMeta } from './image-filters.js';
import { CreatorRef, ImageConnectionRef, ImageRef, ModelVersionRef, VersionImageRef } from './refs.js';
import * as valid from './validate.js';
import { detailOf, modelIsNsfw } from './version-detail.js';

VersionImageRef.implement({
  description:
    'A sample image in a version\u2019s own list. Most routes give these images no id; when Civitai gave one, `imageId` is the global ID of the same image in the feed (an `Image`).',
  fields: (t) => ({
    // Not `id`: Relay normalises by `id` across types, and this is the Image's id, not its own.
    imageId: t.id({
      nullable: true,
      description: 'Global ID of this image as an `Image` (for `node`), or null when Civitai sent no id with it.',
      resolve: (s) => (s.image.id !== null ? encodeNodeId('Image', s.image.id) : null),
    }),
    civitaiId: t.int({ nullable: true, description: 'Civitai\u2019s numeric id of the image (absent on some routes).', resolve: (s) => s.image.id }),
    url: t.string({ description: 'The image URL on Civitai\u2019s CDN.', resolve: (s) => s.image.url }),
    nsfw: t.boolean({
      description: 'Whether the image is NSFW. Always true when its model is NSFW.',
      // The version's model, looked up once for all the images of the version.
      extensions: cost({ calls: lookupCalls('model'), oncePerList: true }),
      resolve: async (s, _args, ctx) => s.image.nsfw || (await modelIsNsfw(s.version, ctx)),
    }),
    nsfwLevel: t.int({ nullable: true, description: 'Content level: 1 PG, 2 PG-13, 4 R, 8 X, 16 XXX.', resolve: (s) => s.image.nsfwLevel }),
    width: t.int({ nullable: true, description: 'Original width in pixels.', resolve: (s) => s.image.width }),
    height: t.int({ nullable: true, description: 'Original height in pixels.', resolve: (s) => s.image.height }),
    hash: t.string({ nullable: true, description: 'BlurHash of the image, for placeholders.', resolve: (s) => s.image.hash }),
    type: t.string({ nullable: true, description: 'image, video or audio.', resolve: (s) => s.image.type }),
    meta: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Generation parameters (prompt, seed, sampler…), or null. Lists omit them, so reading them from a list costs one lookup per version.',
      extensions: cost({ calls: lookupCalls('modelVersion'), oncePerList: true }),
      resolve: async (s, _args, ctx) => {
        if (s.image.meta !== undefined) return s.image.meta;
        const detail = await detailOf(s.version, ctx);
        const same = detail?.images.find((i) => (s.image.id !== null && i.id === s.image.id) || i.url === s.image.url);
        return same?.meta ?? null;
      },
    }),
  }),
});

type ImageStats = UpstreamFeedImage['stats'];
const ImageStatsRef = builder.objectRef<ImageStats>('ImageStats').implement({
  description: 'Reactions and comments on an image. Any may be null.',
  fields: (t) => ({
    reactionCount: t.int({
      nullable: true,
      description: 'Likes, hearts, laughs and cries together (what MOST_REACTIONS sorts by).',
      resolve: (s) => (s.likeCount === null && s.heartCount === null && s.laughCount === null && s.cryCount === null ? null : (s.likeCount ?? 0) + (s.heartCount ?? 0) + (s.laughCount ?? 0) + (s.cryCount ?? 0)),
    }),
    likeCount: t.exposeInt('likeCount', { nullable: true, description: 'Likes.' }),
    heartCount: t.exposeInt('heartCount', { nullable: true, description: 'Hearts.' }),
    laughCount: t.exposeInt('laughCount', { nullable: true, description: 'Laughs.' }),
    cryCount: t.exposeInt('cryCount', { nullable: true, description: 'Cries.' }),
    dislikeCount: t.exposeInt('dislikeCount', { nullable: true, description: 'Dislikes.' }),
    commentCount: t.exposeInt('commentCount', { nullable: true, description: 'Comments.' }),
  }),
});

builder.node(ImageRef, {
  description: 'An image, video or audio clip posted on Civitai, as its images feed gives it.',
  id: { resolve: (image) => image.id, parse: Number },
  loadManyWithoutCache: async (ids: number[], ctx) => nodesOrErrors(await ctx.loaders.imageById.loadMany(ids), (k) => `Image ${ids[k]}`),
  fields: (t) => ({
    civitaiId: t.exposeInt('id', { description: 'Civitai\u2019s numeric id of the image.' }),
    url: t.exposeString('url', { description: 'The media URL on Civitai\u2019s CDN.' }),
    hash: t.exposeString('hash', { nullable: true, description: 'BlurHash of the image, for placeholders.' }),
    width: t.exposeInt('width', { nullable: true, description: 'Original width in pixels.' }),
    height: t.exposeInt('height', { nullable: true, description: 'Original height in pixels.' }),
    type: t.field({ type: MediaTypeEnum, nullable: true, description: 'Image, video or audio; UNKNOWN for kinds this API does not know yet.', resolve: (i) => mediaTypeOf(i.type) }),
    nsfw: t.exposeBoolean('nsfw', { description: 'Whether the image is above PG.' }),
    nsfwLevel: t.exposeInt('nsfwLevel', {
      nullable: true,
      description: 'Content level, as a bitmask like `Model.nsfwLevel`: 1 PG, 2 PG-13, 4 R, 8 X, 16 XXX, 32 blocked.',
    }),
    createdAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was posted.', resolve: (i) => i.createdAt }),
    postId: t.exposeInt('postId', { nullable: true, description: 'Civitai\u2019s id of the post it belongs to.' }),
    creator: t.field({
      type: CreatorRef,
      nullable: true,
      description: 'Who posted it; null when Civitai does not say.',
      resolve: (i) => (i.username !== null ? { username: i.username } : null),
    }),
    baseModel: t.exposeString('baseModel', { nullable: true, description: 'The base model it was made with (e.g. "SDXL 1.0"); an open set.' }),
    stats: t.field({ type: ImageStatsRef, description: 'Reactions and comments.', resolve: (i) => i.stats }),
    meta: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Generation parameters (prompt, seed, sampler, resources…) as Civitai sent them, or null. Asked of Civitai only when selected.',
      resolve: (i) => (i.meta === undefined ? null : i.meta),
    }),
    modelVersionIds: t.exposeIntList('modelVersionIds', { description: 'Civitai ids of the model versions used to make it.' }),
    modelVersions: t.field({
      type: [ModelVersionRef],
      description: 'The model versions used to make it (one lookup each; those Civitai no longer shows are left out).',
      extensions: cost({
        calls: (args, facts) => ASSUMED_ITEMS.versionsPerImage * lookupCalls('modelVersion')(args, facts),
        items: ASSUMED_ITEMS.versionsPerImage,
      }),
      resolve: async (i, _args, ctx) => {
        const versions = await ctx.loaders.modelVersionById.loadMany(i.modelVersionIds);
        return versions.flatMap((v) => {
          if (v instanceof Error) throw v;
          return v === null ? [] : [{ version: v, model: null }];
        });
      },
    }),
  }),
});

builder.queryField('images', (t) =>
  t.connection(
    {
      type: ImageRef,
      description:
        'Civitai\u2019s images feed, filtered and sorted like its /images. Pages forward only. Without `nsfw`, PG images only.',
      args: {
        modelId: t.arg.int({ description: 'Only images made with this model. Without `modelVersionId`, sorts collapse to newest first (see `sort`).' }),
        modelVersionId: t.arg.int({ description: 'Only images made with this model version.' }),
        postId: t.arg.int({ description: 'Only the images of this post, in the post\u2019s order.' }),
        username: t.arg.string({ description: 'Only images posted by this user (letters, digits and _ only). An unknown user matches nothing.' }),
        ...imageFeedArgs,
      },
      extensions: connectionCost('images'),
      resolve: (_root, args, ctx, info) => {
        const username = valid.optionalText('username', args.username);
        return imageConnection(
          ctx,
          args,
          {
            ...imageFeedFilters(args),
            modelId: args.modelId == null ? undefined : valid.civitaiId('modelId', args.modelId),
            modelVersionId: args.modelVersionId == null ? undefined : valid.civitaiId('modelVersionId', args.modelVersionId),
            postId: args.postId == null ? undefined : valid.civitaiId('postId', args.postId),
            username,
          },
          selectsImageMeta(info),
        );
      },
    },
    ImageConnectionRef,
  ),
);
