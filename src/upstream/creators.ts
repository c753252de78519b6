/** `GET /creators`: page-based list and substring search of creators. */
import { z } from 'zod';
import type { PlanLimits } from '../pagination/page-plan.js';
import type { UpstreamRequest } from './transport.js';
import { metadataSchema, type PageMetadata } from './shapes.js';

export interface UpstreamCreator {
  username: string;
  /** Published models of every NSFW level. The live API omits the key when it is 0. */
  modelCount: number;
  image: string | null;
}

export interface CreatorPage {
  items: UpstreamCreator[];
  metadata: PageMetadata;
}

const creatorSchema = z.object({
  username: z.string().nullish(),
  modelCount: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
  image: z.string().nullish(),
});

const creatorPageSchema = z.object({ items: z.array(creatorSchema), metadata: metadataSchema }).transform(
  (page): CreatorPage => ({
    // A creator without a username (a deleted user) cannot be addressed; skip it.
    items: page.items.flatMap((c) =>
      c.username ? [{ username: c.username, modelCount: c.modelCount ?? 0, image: c.image ?? null }] : [],
    ),
    metadata: page.metadata,
  }),
);

export const MAX_CREATORS_LIMIT = 200;
/** Numbered pages of any depth (no cap on page × limit). */
export const CREATOR_PAGING: PlanLimits = { maxLimit: MAX_CREATORS_LIMIT, maxEnd: null };

export function creatorListRequest(params: { limit: number; page: number; query?: string | undefined }): UpstreamRequest<CreatorPage> {
  const query: Array<[string, string]> = [
    ['limit', String(params.limit)],
    ['page', String(params.page)],
  ];
  if (params.query !== undefined) query.push(['query', params.query]);
  return { route: 'creators', path: '/creators', query, cacheKind: 'list', parse: (body) => creatorPageSchema.parse(body) };
}
