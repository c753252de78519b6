/** `GET /tags`: page-based list and prefix search of tags. */
import type { PlanLimits } from '../pagination/page-plan.js';
import { readItems, readRequest, type Drifting, type Fields, type ReadRequest } from './read.js';
import { pageBody, readMetadata, type PageMetadata } from './shapes.js';

export interface UpstreamTag {
  name: string;
  /** Only the 2022 API reported it; since 2025 the key is gone, so null means unknown. */
  modelCount: Drifting<number | null>;
}

export interface TagPage {
  items: UpstreamTag[];
  metadata: PageMetadata;
  /** Tags left out for lacking a name. */
  leftOut: number;
}

function readTag(f: Fields): UpstreamTag | undefined {
  const name = f.string('name');
  return typeof name === 'string' && name !== '' ? { name, modelCount: f.int('modelCount') } : undefined;
}

export const MAX_TAGS_LIMIT = 200;
/** Numbered pages of any depth (no cap on page × limit). */
export const TAG_PAGING: PlanLimits = { maxLimit: MAX_TAGS_LIMIT, maxEnd: null };

export function tagListRequest(params: { limit: number; page: number; query?: string | undefined }): ReadRequest<TagPage> {
  const query: Array<[string, string]> = [
    ['limit', String(params.limit)],
    ['page', String(params.page)],
  ];
  if (params.query !== undefined) query.push(['query', params.query]);
  return readRequest({ route: 'tags', path: '/tags', query, cacheKind: 'list' }, (body, r) => {
    const page = pageBody(body);
    const items = readItems(r, page.items, 'items[]', readTag);
    return { items, metadata: readMetadata(r, page.metadata), leftOut: r.leftOut };
  });
}
