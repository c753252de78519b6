/** `Image`: a sample image (or video) of a model version. */
import { ImageRef } from './refs.js';
import { lookupCalls, cost } from './cost.js';
import { detailOf, modelIsNsfw } from './version-detail.js';

ImageRef.implement({
  description: 'A sample image of a model version.',
  fields: (t) => ({
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
