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
import { LEFT_OUT } from './drift.js';

/**
 * Counts the items the upstream answers of one window left out (no identity) and marks the
 * window with them, for the drift guard to report once at the connection's path.
 */
function countingLeftOut() {
  let count = 0;
  return {
    seen<A extends { leftOut?: number }>(answer: A): A {
      count += answer.leftOut ?? 0;
      return answer;
    },
    async mark<W extends object>(window: Promise<W>): Promise<W> {
      const result = await window;
      return count > 0 ? Object.assign(result, { [LEFT_OUT]: count }) : result;
    },
  };
}

export type ModelFilters = Omit<ModelListParams, 'limit' | 'page' | 'cursor'>;

export function modelConnection(ctx: Context, args: ConnectionArgs, filters: ModelFilters): Promise<WindowResult<UpstreamModel>> {
  const window = resolveWindow(args);
  // Every filter, whatever its name: a filter added later cannot be left out of the scope.
  const named = Object.entries(filters).filter(([, value]) => value !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  const cursors = ctx.cursors.scoped(scopeOf(['models', named]));
  const paging = ctx.loaders.paging.models(filters);
  if (paging.refused !== null) return Promise.reject(new BadUserInputError(paging.refused));
  const left = countingLeftOut();
  const load = async (params: ModelListParams) => left.seen(await ctx.loaders.modelPage.load(params));
  return left.mark(streamWindow(window, cursors, {
    maxLimit: paging.maxLimit,
    // Filters applied here may need more reads to fill the window; the cost plan charges them too.
    extraCalls: paging.extraCalls,
    fetchFrom: (cursor, limit) => load({ ...filters, limit, ...(cursor !== null ? { cursor } : {}) }),
    pages: paging.pages && { limits: paging.pages, fetchPage: (page, limit) => load({ ...filters, page, limit }) },
    keyOf: (model) => model.id,
  }));
}

export function creatorConnection(ctx: Context, args: ConnectionArgs, query: string | undefined): Promise<WindowResult<UpstreamCreator>> {
  const window = resolveWindow(args);
  const cursors = ctx.cursors.scoped(scopeOf(['creators', query]));
  const left = countingLeftOut();
  return left.mark(
    offsetWindow(window, cursors, {
      limits: ctx.loaders.paging.creators,
      fetchPage: async (page, limit) => left.seen(await ctx.loaders.creatorPage.load({ page, limit, query })),
    }),
  );
}

export function tagConnection(ctx: Context, args: ConnectionArgs, query: string | undefined): Promise<WindowResult<UpstreamTag>> {
  const window = resolveWindow(args);
  const cursors = ctx.cursors.scoped(scopeOf(['tags', query]));
  const left = countingLeftOut();
  return left.mark(
    offsetWindow(window, cursors, {
      limits: ctx.loaders.paging.tags,
      fetchPage: async (page, limit) => left.seen(await ctx.loaders.tagPage.load({ page, limit, query })),
    }),
  );
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
  const left = countingLeftOut();
  return left.mark(
    streamWindow(window, cursors, {
      maxLimit: paging.maxLimit,
      fetchFrom: async (cursor, limit) => left.seen(await ctx.loaders.imagePage.load({ ...filters, limit, withMeta, ...(cursor !== null ? { cursor } : {}) })),
      pages: null,
      keyOf: (image) => image.id,
    }),
  );
}
