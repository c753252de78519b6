/**
 * The one place where loaders meet pagination: Relay arguments and filters become an upstream
 * page plan (see src/pagination/) and the answers become a connection.
 */
import type { Context } from '../context.js';
import type { ConnectionArgs } from '../pagination/args.js';
import { resolveWindow } from '../pagination/args.js';
import { scopeOf } from '../pagination/cursor.js';
import { connectionCost } from './cost.js';
import { offsetWindow } from '../pagination/offset-window.js';
import { streamWindow, type StreamAnswer } from '../pagination/stream-window.js';
import { toWindowResult, type WindowResult } from '../pagination/window.js';
import { decodeCursor } from '../pagination/cursor.js';
import type { RelayWindow } from '../pagination/args.js';
import { UpstreamError } from '../upstream/errors.js';
import type { ModelListParams, ModelPage, UpstreamModel } from '../upstream/models.js';
import type { PageMetadata } from '../upstream/shapes.js';
import { MAX_CREATORS_LIMIT, type UpstreamCreator } from '../upstream/creators.js';
import { MAX_TAGS_LIMIT, type UpstreamTag } from '../upstream/tags.js';

export type ModelFilters = Omit<ModelListParams, 'limit' | 'page' | 'cursor' | 'ids'>;

/** The live API's page mode ends at page × limit = 1000 (civitai-api-live.md). */
const MODELS_PAGE_MODE_END = 1000;
const MAX_MODELS_LIMIT = 100;

/** What each connection field declares it may cost: a window over the upstream's page cap. */
export const MODEL_WINDOW_COST = connectionCost(MAX_MODELS_LIMIT);
export const CREATOR_WINDOW_COST = connectionCost(MAX_CREATORS_LIMIT);
export const TAG_WINDOW_COST = connectionCost(MAX_TAGS_LIMIT);

/**
 * `first: 0` / `last: 0` asks for nothing, so nothing is fetched (the cost plan charges it 0):
 * no edges, no total, `hasNextPage` false. A cursor given with it is still checked.
 */
function emptyWindow<T>(window: RelayWindow, scope: string): WindowResult<T> {
  const cursor = window.direction === 'forward' ? window.after : window.before;
  if (cursor !== null) decodeCursor(scope, cursor);
  return toWindowResult<T>(scope, [], { hasNextPage: false, hasPreviousPage: window.direction === 'forward' && cursor !== null, totalCount: null });
}

const EMPTY: StreamAnswer<UpstreamModel> = { items: [], nextCursor: undefined, more: false, total: 0 };

const normaliseTag = (tag: string) => tag.trim().toLowerCase();

function toStreamAnswer(page: ModelPage, tag: string | undefined): StreamAnswer<UpstreamModel> {
  // An unknown `tag` is ignored upstream, which returns unfiltered models: when an item lacks
  // the tag, the filter was not applied and nothing matches (civitai-api-live.md).
  if (tag !== undefined) {
    const wanted = normaliseTag(tag);
    if (page.items.some((m) => !m.tags.some((t) => normaliseTag(t) === wanted))) return EMPTY;
  }
  const { nextCursor, nextPage, totalItems } = page.metadata;
  return { items: page.items, nextCursor, more: nextCursor !== undefined || nextPage !== undefined, total: totalItems ?? null };
}

export function modelConnection(ctx: Context, args: ConnectionArgs, filters: ModelFilters): Promise<WindowResult<UpstreamModel>> {
  const window = resolveWindow(args);
  const scope = scopeOf(['models', filters.query, filters.tag, filters.username, filters.types, filters.sort, filters.period, filters.rating, filters.nsfw]);
  if (window.count === 0) return Promise.resolve(emptyWindow(window, scope));
  const load = (params: ModelListParams) =>
    ctx.loaders.modelPage.load(params).then(
      (page) => toStreamAnswer(page, filters.tag),
      (error: unknown) => {
        // An unknown username is a 404 upstream: a filter that matches nothing.
        if (error instanceof UpstreamError && error.isNotFound) return EMPTY;
        throw error;
      },
    );
  return streamWindow(window, scope, {
    maxLimit: MAX_MODELS_LIMIT,
    fetchFrom: (cursor, limit) => load({ ...filters, limit, ...(cursor !== null ? { cursor } : {}) }),
    // Search pages by cursor only: `page` with `query` is a 400 upstream.
    pages:
      filters.query !== undefined
        ? null
        : { limits: { maxLimit: MAX_MODELS_LIMIT, preferredEnd: MODELS_PAGE_MODE_END }, fetchPage: (page, limit) => load({ ...filters, page, limit }) },
    keyOf: (model) => model.id,
  });
}

/**
 * A page's total, only when it is consistent with the page: the live /tags always says
 * totalItems 0 / totalPages 1, and /creators with `query` gives lower bounds (`hasMore`).
 */
export function trustedTotal(metadata: PageMetadata, page: number, limit: number, received: number): number | null {
  const { totalItems, totalPages, hasMore } = metadata;
  if (totalItems === undefined || hasMore !== undefined) return null;
  if (totalItems < (page - 1) * limit + received) return null;
  if (totalPages !== undefined && totalPages !== Math.ceil(totalItems / limit) && !(totalItems === 0 && totalPages <= 1)) return null;
  return totalItems;
}

export function creatorConnection(ctx: Context, args: ConnectionArgs, query: string | undefined): Promise<WindowResult<UpstreamCreator>> {
  const window = resolveWindow(args);
  const scope = scopeOf(['creators', query]);
  if (window.count === 0) return Promise.resolve(emptyWindow(window, scope));
  return offsetWindow(window, scope, {
    limits: { maxLimit: MAX_CREATORS_LIMIT, maxEnd: null },
    fetchPage: async (page, limit) => {
      const answer = await ctx.loaders.creatorPage.load({ page, limit, query });
      return { items: answer.items, total: trustedTotal(answer.metadata, page, limit, answer.items.length) };
    },
  });
}

export function tagConnection(ctx: Context, args: ConnectionArgs, query: string | undefined): Promise<WindowResult<UpstreamTag>> {
  const window = resolveWindow(args);
  const scope = scopeOf(['tags', query]);
  if (window.count === 0) return Promise.resolve(emptyWindow(window, scope));
  return offsetWindow(window, scope, {
    limits: { maxLimit: MAX_TAGS_LIMIT, maxEnd: null },
    fetchPage: async (page, limit) => {
      const answer = await ctx.loaders.tagPage.load({ page, limit, query });
      return { items: answer.items, total: trustedTotal(answer.metadata, page, limit, answer.items.length) };
    },
  });
}
