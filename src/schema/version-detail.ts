/** What a version's fields load beyond the representation at hand: shared by `ModelVersion` and `Image`. */
import type { Context } from '../context.js';
import { orNotFound } from '../errors.js';
import type { UpstreamVersionDetail } from '../upstream/model-versions.js';
import type { UpstreamModel } from '../upstream/models.js';
import type { UpstreamVersion } from '../upstream/shapes.js';
import type { Drifting } from '../drift.js';
import type { VersionRef } from './refs.js';

/**
 * The by-id representation of a version. Lists leave out createdAt, updatedAt, status, air
 * and image generation data (civitai-api-live.md, "Shapes"); those fields load it, batched per request.
 */
export function detailOf(ref: VersionRef, ctx: Context): Promise<UpstreamVersionDetail | null> | UpstreamVersionDetail {
  if (ref.version.source === 'detail') return ref.version as UpstreamVersionDetail;
  return ctx.loaders.modelVersionById.load(ref.version.id);
}

/** Whether the parent model is NSFW, loading the model only when nothing at hand says. */
export async function modelIsNsfw(ref: VersionRef, ctx: Context): Promise<Drifting<boolean>> {
  if (ref.model) return ref.model.nsfw;
  if ('model' in ref.version && ref.version.model.nsfw !== null) return ref.version.model.nsfw;
  return (await modelOf(ref.version, ctx)).nsfw;
}

/** The model of a version reached without it; it must exist, as the fields needing it are non-null. */
export async function modelOf(version: UpstreamVersion, ctx: Context): Promise<UpstreamModel> {
  return orNotFound(await ctx.loaders.modelById.load(version.modelId), `Model ${version.modelId}`);
}
