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
import { isDrift, known, type Drift } from '../drift.js';
import { asRead, through } from './drift.js';
import { detailOf, modelIsNsfw } from './version-detail.js';

VersionImageRef.implement({
  description:
    'A sample image in a version\u2019s own list. Most routes give these images no id; when Civitai gave one, `imageId` is the global ID of the same image in the feed (an `Image`).',
  fields: (t) => ({
    // Not `id`: Relay normalises by `id` across types, and this is the Image's id, not its own.
    imageId: t.id({
      nullable: true,
      description: 'Global ID of this image as an `Image` (for `node`), or null when Civitai sent no id with it.',
      resolve: (s) => through(s.image.id, (id) => (id !== null ? encodeNodeId('Image', id) : null)),
    }),
    civitaiId: t.int({ nullable: true, description: 'Civitai\u2019s numeric id of the image (absent on some routes).', resolve: (s) => asRead(s.image.id) }),
    url: t.string({ description: 'The image URL on Civitai\u2019s CDN.', resolve: (s) => asRead(s.image.url) }),
    nsfw: t.boolean({
      description: 'Whether the image is NSFW. Always true when its model is NSFW.',
      // The version's model, looked up once for all the images of the version.
      extensions: cost({ calls: lookupCalls('model'), oncePerList: true }),
      resolve: async (s, _args, ctx) => asRead(s.image.nsfw === true ? true : isDrift(s.image.nsfw) ? s.image.nsfw : await modelIsNsfw(s.version, ctx)),
    }),
    nsfwLevel: t.int({ nullable: true, description: 'Content level: 1 PG, 2 PG-13, 4 R, 8 X, 16 XXX.', resolve: (s) => asRead(s.image.nsfwLevel) }),
    width: t.int({ nullable: true, description: 'Original width in pixels.', resolve: (s) => asRead(s.image.width) }),
    height: t.int({ nullable: true, description: 'Original height in pixels.', resolve: (s) => asRead(s.image.height) }),
    hash: t.string({ nullable: true, description: 'BlurHash of the image, for placeholders.', resolve: (s) => asRead(s.image.hash) }),
    type: t.string({ nullable: true, description: 'image, video or audio.', resolve: (s) => asRead(s.image.type) }),
    meta: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Generation parameters (prompt, seed, sampler…), or null. Lists omit them, so reading them from a list costs one lookup per version.',
      extensions: cost({ calls: lookupCalls('modelVersion'), oncePerList: true }),
      resolve: async (s, _args, ctx) => {
        if (s.image.meta !== undefined) return s.image.meta;
        const detail = await detailOf(s.version, ctx);
        const { id, url } = s.image;
        const same = known(detail?.images ?? [], []).find((i) => (typeof id === 'number' && i.id === id) || (typeof url === 'string' && i.url === url));
        return same?.meta ?? null;
      },
    }),
  }),
});

type ImageStats = Exclude<UpstreamFeedImage['stats'], Drift>;
/** Reactions that could be read; null when none could. */
function reactions(s: ImageStats): number | null {
  const counts = [s.likeCount, s.heartCount, s.laughCount, s.cryCount];
  const drift = counts.find(isDrift);
  if (drift) return asRead(drift as unknown as number);
  if (counts.every((c) => c === null)) return null;
  return counts.reduce<number>((sum, c) => sum + (typeof c === 'number' ? c : 0), 0);
}
const ImageStatsRef = builder.objectRef<ImageStats>('ImageStats').implement({
  description: 'Reactions and comments on an image. Any may be null.',
  fields: (t) => ({
    reactionCount: t.int({
      nullable: true,
      description: 'Likes, hearts, laughs and cries together (what MOST_REACTIONS sorts by).',
      resolve: reactions,
    }),
    likeCount: t.int({ nullable: true, description: 'Likes.', resolve: (s) => asRead(s.likeCount) }),
    heartCount: t.int({ nullable: true, description: 'Hearts.', resolve: (s) => asRead(s.heartCount) }),
    laughCount: t.int({ nullable: true, description: 'Laughs.', resolve: (s) => asRead(s.laughCount) }),
    cryCount: t.int({ nullable: true, description: 'Cries.', resolve: (s) => asRead(s.cryCount) }),
    dislikeCount: t.int({ nullable: true, description: 'Dislikes.', resolve: (s) => asRead(s.dislikeCount) }),
    commentCount: t.int({ nullable: true, description: 'Comments.', resolve: (s) => asRead(s.commentCount) }),
  }),
});

builder.node(ImageRef, {
  description: 'An image, video or audio clip posted on Civitai, as its images feed gives it.',
  id: { resolve: (image) => image.id, parse: Number },
  loadManyWithoutCache: async (ids: number[], ctx) => nodesOrErrors(await ctx.loaders.imageById.loadMany(ids), (k) => `Image ${ids[k]}`),
  fields: (t) => ({
    civitaiId: t.exposeInt('id', { description: 'Civitai\u2019s numeric id of the image.' }),
    url: t.string({ description: 'The media URL on Civitai\u2019s CDN.', resolve: (i) => asRead(i.url) }),
    hash: t.string({ nullable: true, description: 'BlurHash of the image, for placeholders.', resolve: (i) => asRead(i.hash) }),
    width: t.int({ nullable: true, description: 'Original width in pixels.', resolve: (i) => asRead(i.width) }),
    height: t.int({ nullable: true, description: 'Original height in pixels.', resolve: (i) => asRead(i.height) }),
    type: t.field({ type: MediaTypeEnum, nullable: true, description: 'Image, video or audio; UNKNOWN for kinds this API does not know yet.', resolve: (i) => through(i.type, mediaTypeOf) }),
    nsfw: t.boolean({ description: 'Whether the image is above PG.', resolve: (i) => asRead(i.nsfw) }),
    nsfwLevel: t.int({
      resolve: (i) => asRead(i.nsfwLevel),
      nullable: true,
      description: 'Content level, as a bitmask like `Model.nsfwLevel`: 1 PG, 2 PG-13, 4 R, 8 X, 16 XXX, 32 blocked.',
    }),
    createdAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was posted.', resolve: (i) => asRead(i.createdAt) }),
    postId: t.int({ resolve: (i) => asRead(i.postId), nullable: true, description: 'Civitai\u2019s id of the post it belongs to.' }),
    creator: t.field({
      type: CreatorRef,
      nullable: true,
      description: 'Who posted it; null when Civitai does not say.',
      resolve: (i) => through(i.username, (username) => (username !== null ? { username } : null)),
    }),
    baseModel: t.string({ resolve: (i) => asRead(i.baseModel), nullable: true, description: 'The base model it was made with (e.g. "SDXL 1.0"); an open set.' }),
    stats: t.field({ type: ImageStatsRef, description: 'Reactions and comments.', resolve: (i) => asRead(i.stats) }),
    meta: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Generation parameters (prompt, seed, sampler, resources…) as Civitai sent them, or null. Asked of Civitai only when selected.',
      resolve: (i) => (i.meta === undefined ? null : i.meta),
    }),
    modelVersionIds: t.intList({ resolve: (i) => asRead(i.modelVersionIds), description: 'Civitai ids of the model versions used to make it.' }),
    modelVersions: t.field({
      type: [ModelVersionRef],
      description: 'The model versions used to make it (one lookup each; those Civitai no longer shows are left out).',
      extensions: cost({
        calls: (args, facts) => ASSUMED_ITEMS.versionsPerImage * lookupCalls('modelVersion')(args, facts),
        items: ASSUMED_ITEMS.versionsPerImage,
      }),
      resolve: async (i, _args, ctx) => {
        if (isDrift(i.modelVersionIds)) return asRead(i.modelVersionIds as unknown as []);
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
