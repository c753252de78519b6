/** `GET /tags`: page-based list and prefix search of tags. */
import { z } from 'zod';
import type { PlanLimits } from '../pagination/page-plan.js';
import type { UpstreamRequest } from './transport.js';
import { metadataSchema, type PageMetadata } from './shapes.js';

export interface UpstreamTag {
  name: string;
  /** Only the 2022 API reported it; since 2025 the key is gone, so null means unknown. */
  modelCount: number | null;
}

export interface TagPage {
  items: UpstreamTag[];
  metadata: PageMetadata;
}

const tagSchema = z.object({
  name: z.string(),
  modelCount: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
});

const tagPageSchema = z.object({ items: z.array(tagSchema), metadata: metadataSchema }).transform(
  (page): TagPage => ({
    items: page.items.map((t) => ({ name: t.name, modelCount: t.modelCount ?? null })),
    metadata: page.metadata,
  }),
);

export const MAX_TAGS_LIMIT = 200;
/** Numbered pages of any depth (no cap on page × limit). */
export const TAG_PAGING: PlanLimits = { maxLimit: MAX_TAGS_LIMIT, maxEnd: null };

export function tagListRequest(params: { limit: number; page: number; query?: string | undefined }): UpstreamRequest<TagPage> {
  const query: Array<[string, string]> = [
    ['limit', String(params.limit)],
    ['page', String(params.page)],
  ];
  if (params.query !== undefined) query.push(['query', params.query]);
  return { route: 'tags', path: '/tags', query, cacheKind: 'list', parse: (body) => tagPageSchema.parse(body) };
}
