/** `GET /models` (list, search, batch by ids) and `GET /models/:id`. */
import { z } from 'zod';
import type { PlanLimits } from '../pagination/page-plan.js';
import type { StreamAnswer } from '../pagination/stream-window.js';
import type { UpstreamRequest } from './transport.js';
import { metadataSchema, modelSchema, withVersionSource, type PageMetadata, type UpstreamModel } from './shapes.js';

export type { UpstreamModel } from './shapes.js';

export interface ModelListParams {
  limit: number;
  page?: number | undefined;
  cursor?: string | undefined;
  query?: string | undefined;
  tag?: string | undefined;
  username?: string | undefined;
  types?: readonly string[] | undefined;
  sort?: string | undefined;
  period?: string | undefined;
  rating?: number | undefined;
  nsfw?: boolean | undefined;
  ids?: readonly number[] | undefined;
}

export interface ModelPage {
  items: UpstreamModel[];
  metadata: PageMetadata;
}

const modelPageSchema = z.object({ items: z.array(modelSchema), metadata: metadataSchema });

/** At most this many ids per `/models?ids=` call (civitai-api-live.md). */
export const MAX_IDS_PER_CALL = 100;
export const MAX_MODELS_LIMIT = 100;
/** The live API's page mode ends at page × limit = 1000 (civitai-api-live.md). */
export const MODELS_PAGE_MODE_END = 1000;

/**
 * The shape of the cursors /models issues (civitai-api-live.md, civitai-api-live-reference.md
 * "pagination" 6): a search pages by a numeric offset (`"100"`); a browse cursor joins the sort
 * columns of a row with `|`, numbers and, for Newest/Oldest, a timestamp
 * (`"22138|364671|25494"`, `"2024-03-10 21:35:22.332|123"`, older servers `…T…Z`).
 */
const SEARCH_CURSOR = /^\d{1,9}$/;
const BROWSE_CURSOR_PART = /^(?:-?\d{1,20}(?:\.\d{1,12})?|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z?)$/;

export function isModelListCursor(cursor: string, params: { query?: string | undefined }): boolean {
  if (params.query !== undefined) return SEARCH_CURSOR.test(cursor);
  const parts = cursor.split('|');
  return cursor.length <= 100 && parts.length >= 2 && parts.length <= 4 && parts.every((part) => BROWSE_CURSOR_PART.test(part));
}

/** How a model list may be paged: by cursor always, by numbered pages unless it is a search. */
export function modelPaging(params: { query?: string | undefined }): {
  maxLimit: number;
  pages: PlanLimits | null;
  acceptsCursor(cursor: string): boolean;
} {
  return {
    maxLimit: MAX_MODELS_LIMIT,
    acceptsCursor: (cursor) => isModelListCursor(cursor, params),
    // `page` with `query` is a 400 upstream: search pages by cursor only.
    pages: params.query !== undefined ? null : { maxLimit: MAX_MODELS_LIMIT, preferredEnd: MODELS_PAGE_MODE_END },
  };
}

/**
 * Whether the models of a list are complete, as `/models/:id` would give them, so that they may
 * answer later lookups by id: without `nsfw=true` Civitai filters what a model carries.
 */
export function carriesCompleteModels(params: Pick<ModelListParams, 'nsfw'>): boolean {
  return params.nsfw === true;
}

export const NO_MODELS: StreamAnswer<UpstreamModel> = { items: [], nextCursor: undefined, more: false, total: 0 };

const normaliseTag = (tag: string) => tag.trim().toLowerCase();

/** A page of /models as pagination reads it, with the `tag` quirk resolved. */
export function modelListAnswer(page: ModelPage, params: Pick<ModelListParams, 'tag'>): StreamAnswer<UpstreamModel> {
  // An unknown `tag` is ignored upstream, which returns unfiltered models: when an item lacks
  // the tag, the filter was not applied and nothing matches (civitai-api-live.md).
  if (params.tag !== undefined) {
    const wanted = normaliseTag(params.tag);
    if (page.items.some((m) => !m.tags.some((t) => normaliseTag(t) === wanted))) return NO_MODELS;
  }
  const { nextCursor, nextPage, totalItems } = page.metadata;
  return { items: page.items, nextCursor, more: nextCursor !== undefined || nextPage !== undefined, total: totalItems ?? null };
}

export function modelListQuery(params: ModelListParams): Array<[string, string]> {
  const query: Array<[string, string]> = [['limit', String(params.limit)]];
  if (params.page !== undefined) query.push(['page', String(params.page)]);
  if (params.cursor !== undefined) query.push(['cursor', params.cursor]);
  if (params.query !== undefined) query.push(['query', params.query]);
  if (params.tag !== undefined) query.push(['tag', params.tag]);
  if (params.username !== undefined) query.push(['username', params.username]);
  // Repeated, never a comma list: a comma list is a 400 upstream.
  for (const type of params.types ?? []) query.push(['types', type]);
  if (params.sort !== undefined) query.push(['sort', params.sort]);
  if (params.period !== undefined) query.push(['period', params.period]);
  if (params.rating !== undefined) query.push(['rating', String(params.rating)]);
  // Booleans are sent only when true: some upstream flags coerce "false" to true.
  if (params.nsfw) query.push(['nsfw', 'true']);
  if (params.ids?.length) query.push(['ids', params.ids.join(',')]);
  return query;
}

export function modelListRequest(params: ModelListParams): UpstreamRequest<ModelPage> {
  return {
    route: 'models',
    path: '/models',
    query: modelListQuery(params),
    cacheKind: 'list',
    parse: (body) => {
      const page = modelPageSchema.parse(body);
      return { items: page.items.map((m) => withVersionSource(m, 'list')), metadata: page.metadata };
    },
  };
}

export function modelRequest(id: number): UpstreamRequest<UpstreamModel> {
  return {
    route: 'model',
    path: `/models/${encodeURIComponent(String(id))}`,
    cacheKind: 'entity',
    parse: (body) => withVersionSource(modelSchema.parse(body), 'model'),
  };
}
