/**
 * The one place where loaders meet pagination: Relay arguments and filters become an upstream
 * page plan (see src/pagination/) and the answers become a connection. The upstream API already
 * answers in pagination's shape, with Civitai's quirks resolved; this is only glue.
 */
import type { Context } from '../context.js';
import { resolveWindow, type ConnectionArgs, type RelayWindow } from '../pagination/args.js';
import { decodeCursor, scopeOf } from '../pagination/cursor.js';
import { offsetWindow } from '../pagination/offset-window.js';
import { streamWindow } from '../pagination/stream-window.js';
import { toWindowResult, type WindowResult } from '../pagination/window.js';
import { PaginationInputError } from '../pagination/errors.js';
import type { UpstreamCreator } from '../upstream/creators.js';
import type { ImageListParams, UpstreamFeedImage } from '../upstream/images.js';
import type { ModelListParams, UpstreamModel } from '../upstream/models.js';
import type { UpstreamTag } from '../upstream/tags.js';

export type ModelFilters = Omit<ModelListParams, 'limit' | 'page' | 'cursor' | 'ids'>;

/**
 * `first: 0` / `last: 0` asks for nothing, so nothing is fetched (the cost plan charges it 0):
 * no edges, no total, `hasNextPage` false. A cursor given with it is still checked.
 */
function emptyWindow<T>(window: RelayWindow, scope: string): WindowResult<T> {
  const cursor = window.direction === 'forward' ? window.after : window.before;
  if (cursor !== null) decodeCursor(scope, cursor);
  return toWindowResult<T>(scope, [], { hasNextPage: false, hasPreviousPage: window.direction === 'forward' && cursor !== null, totalCount: null });
}

export function modelConnection(ctx: Context, args: ConnectionArgs, filters: ModelFilters): Promise<WindowResult<UpstreamModel>> {
  const window = resolveWindow(args);
  const scope = scopeOf(['models', filters.query, filters.tag, filters.username, filters.types, filters.sort, filters.period, filters.rating, filters.nsfw]);
  if (window.count === 0) return Promise.resolve(emptyWindow(window, scope));
  const paging = ctx.loaders.paging.models(filters);
  const load = (params: ModelListParams) => ctx.loaders.modelPage.load(params);
  return streamWindow(window, scope, {
    maxLimit: paging.maxLimit,
    fetchFrom: (cursor, limit) => load({ ...filters, limit, ...(cursor !== null ? { cursor } : {}) }),
    pages: paging.pages && { limits: paging.pages, fetchPage: (page, limit) => load({ ...filters, page, limit }) },
    keyOf: (model) => model.id,
  });
}

export function creatorConnection(ctx: Context, args: ConnectionArgs, query: string | undefined): Promise<WindowResult<UpstreamCreator>> {
  const window = resolveWindow(args);
  const scope = scopeOf(['creators', query]);
  if (window.count === 0) return Promise.resolve(emptyWindow(window, scope));
  return offsetWindow(window, scope, {
    limits: ctx.loaders.paging.creators,
    fetchPage: (page, limit) => ctx.loaders.creatorPage.load({ page, limit, query }),
  });
}

export function tagConnection(ctx: Context, args: ConnectionArgs, query: string | undefined): Promise<WindowResult<UpstreamTag>> {
  const window = resolveWindow(args);
  const scope = scopeOf(['tags', query]);
  if (window.count === 0) return Promise.resolve(emptyWindow(window, scope));
  return offsetWindow(window, scope, {
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
  const scope = scopeOf(['images', filters.modelId, filters.modelVersionId, filters.postId, filters.username, filters.sort, filters.period, filters.nsfw, filters.baseModels, filters.type]);
  if (window.count === 0) return Promise.resolve(emptyWindow(window, scope));
  return streamWindow(window, scope, {
    maxLimit: ctx.loaders.paging.images.maxLimit,
    fetchFrom: (cursor, limit) => ctx.loaders.imagePage.load({ ...filters, limit, withMeta, ...(cursor !== null ? { cursor } : {}) }),
    pages: null,
    keyOf: (image) => image.id,
  });
}
