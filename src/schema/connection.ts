/**
 * The one place where loaders meet pagination: Relay arguments and filters become an upstream
 * page plan (see src/pagination/) and the answers become a connection. The upstream API already
 * answers in pagination's shape, with Civitai's quirks resolved; this is only glue.
 */
import type { Context } from '../context.js';
import { BadUserInputError } from '../errors.js';
import { resolveWindow, type ConnectionArgs } from '../pagination/args.js';
import { scopeOf } from '../pagination/cursor.js';
import { offsetWindow } from '../pagination/offset-window.js';
import { streamWindow } from '../pagination/stream-window.js';
import type { WindowResult } from '../pagination/window.js';
import { PaginationInputError } from '../pagination/errors.js';
import type { UpstreamCreator } from '../upstream/creators.js';
import type { ImageListParams, UpstreamFeedImage } from '../upstream/images.js';
import type { ModelListParams, UpstreamModel } from '../upstream/models.js';
import type { UpstreamTag } from '../upstream/tags.js';

export type ModelFilters = Omit<ModelListParams, 'limit' | 'page' | 'cursor'>;

export function modelConnection(ctx: Context, args: ConnectionArgs, filters: ModelFilters): Promise<WindowResult<UpstreamModel>> {
  const window = resolveWindow(args);
  // Every filter, whatever its name: a filter added later cannot be left out of the scope.
  const named = Object.entries(filters).filter(([, value]) => value !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  const cursors = ctx.cursors.scoped(scopeOf(['models', named]));
  const paging = ctx.loaders.paging.models(filters);
  if (paging.refused !== null) return Promise.reject(new BadUserInputError(paging.refused));
  const load = (params: ModelListParams) => ctx.loaders.modelPage.load(params);
  return streamWindow(window, cursors, {
    maxLimit: paging.maxLimit,
    acceptsCursor: paging.acceptsCursor,
    // Filters applied here may need more reads to fill the window; the cost plan charges them too.
    extraCalls: paging.extraCalls,
    fetchFrom: (cursor, limit) => load({ ...filters, limit, ...(cursor !== null ? { cursor } : {}) }),
    pages: paging.pages && { limits: paging.pages, fetchPage: (page, limit) => load({ ...filters, page, limit }) },
    keyOf: (model) => model.id,
  });
}

export function creatorConnection(ctx: Context, args: ConnectionArgs, query: string | undefined): Promise<WindowResult<UpstreamCreator>> {
  const window = resolveWindow(args);
  const cursors = ctx.cursors.scoped(scopeOf(['creators', query]));
  return offsetWindow(window, cursors, {
    limits: ctx.loaders.paging.creators,
    fetchPage: (page, limit) => ctx.loaders.creatorPage.load({ page, limit, query }),
  });
}

export function tagConnection(ctx: Context, args: ConnectionArgs, query: string | undefined): Promise<WindowResult<UpstreamTag>> {
  const window = resolveWindow(args);
  const cursors = ctx.cursors.scoped(scopeOf(['tags', query]));
  return offsetWindow(window, cursors, {
    limits: ctx.loaders.paging.tags,
    fetchPage: (page, limit) => ctx.loaders.tagPage.load({ page, limit, query }),
  });
}

export type ImageFilters = Omit<ImageListParams, 'limit' | 'cursor' | 'imageId' | 'withMeta'>;

/**
 * A window of the images feed. It pages forward only, by Civitai's cursors: its numbered pages
 * are not trusted (civitai#1583: identical pages), so `last`/`before` are refused before any call.
 * `withMeta`: whether the query reads `meta` (part of the loader key, not of the cursor scope).
 */
export function imageConnection(ctx: Context, args: ConnectionArgs, filters: ImageFilters, withMeta: boolean): Promise<WindowResult<UpstreamFeedImage>> {
  const window = resolveWindow(args);
  if (window.direction === 'backward') {
    throw new PaginationInputError('An images feed pages forward only (Civitai pages it by cursor): use `first`/`after`.');
  }
  const named = Object.entries(filters).filter(([, value]) => value !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  const cursors = ctx.cursors.scoped(scopeOf(['images', named]));
  const paging = ctx.loaders.paging.images;
  return streamWindow(window, cursors, {
    maxLimit: paging.maxLimit,
    acceptsCursor: paging.acceptsCursor,
    fetchFrom: (cursor, limit) => ctx.loaders.imagePage.load({ ...filters, limit, withMeta, ...(cursor !== null ? { cursor } : {}) }),
    pages: null,
    keyOf: (image) => image.id,
  });
}
