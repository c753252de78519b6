/** `GET /models` (list, search, batch by ids) and `GET /models/:id`. */
import { z } from 'zod';
import type { UpstreamRequest } from './client.js';
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
