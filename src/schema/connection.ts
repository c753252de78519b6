/**
 * The one place where loaders meet pagination: Relay arguments and filters become an upstream
 * page plan (see src/pagination/) and the answers become a connection. The upstream API already
 * answers in pagination's shape, with Civitai's quirks resolved; this is only glue.
 */
import type { Context } from '../context.js';
import { BadUserInputError } from '../errors.js';
import { maxCallsForWindow } from '../pagination/bounds.js';
import { resolveWindow, type ConnectionArgs, type RelayWindow } from '../pagination/args.js';
import { decodeCursor, scopeOf } from '../pagination/cursor.js';
import { offsetWindow } from '../pagination/offset-window.js';
import { streamWindow, type StreamAnswer } from '../pagination/stream-window.js';
import { toWindowResult, type WindowResult } from '../pagination/window.js';
import type { UpstreamCreator } from '../upstream/creators.js';
import type { ModelListParams, UpstreamModel } from '../upstream/models.js';
import type { UpstreamTag } from '../upstream/tags.js';

export type ModelFilters = Omit<ModelListParams, 'limit' | 'page' | 'cursor'>;

/** What the window reads once its calls are spent: nothing more now, more to come. */
const SPENT: StreamAnswer<UpstreamModel> = { items: [], nextCursor: undefined, more: true, total: null };

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
  const f = filters;
  const scope = scopeOf([
    'models', f.query, f.tag, f.username, f.types, f.sort, f.period, f.rating, f.nsfw,
    f.ids, f.baseModels, f.checkpointType, f.primaryFileOnly, f.allowCommercialUse, f.allowNoCredit, f.allowDerivatives,
    f.allowDifferentLicense, f.supportsGeneration, f.earlyAccess, f.archived, f.favorites, f.hidden,
  ]);
  if (window.count === 0) return Promise.resolve(emptyWindow(window, scope));
  const paging = ctx.loaders.paging.models(filters);
  if (paging.refused !== null) return Promise.reject(new BadUserInputError(paging.refused));
  const load = (params: ModelListParams) => ctx.loaders.modelPage.load(params);
  // The calls the cost plan charged this window (filters applied here may need them all).
  let calls = maxCallsForWindow(window.count, paging.maxLimit) + paging.extraCalls;
  return streamWindow(window, scope, {
    maxLimit: paging.maxLimit,
    fetchFrom: (cursor, limit) => (calls-- > 0 ? load({ ...filters, limit, ...(cursor !== null ? { cursor } : {}) }) : Promise.resolve(SPENT)),
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
