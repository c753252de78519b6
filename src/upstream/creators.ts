/** `GET /creators`: page-based list and substring search of creators. */
import type { PlanLimits } from '../pagination/page-plan.js';
import { readItems, readRequest, type Drifting, type Fields, type ReadRequest } from './read.js';
import { pageBody, readMetadata, type PageMetadata } from './shapes.js';

export interface UpstreamCreator {
  username: string;
  /** Published models of every NSFW level. The live API omits the key when it is 0. */
  modelCount: Drifting<number>;
  image: Drifting<string | null>;
}

export interface CreatorPage {
  items: UpstreamCreator[];
  metadata: PageMetadata;
  /** Creators left out for lacking a username (a deleted user cannot be addressed). */
  leftOut: number;
}

function readCreator(f: Fields): UpstreamCreator | undefined {
  const username = f.string('username');
  if (typeof username !== 'string' || username === '') return undefined;
  return { username, modelCount: f.int('modelCount') ?? 0, image: f.string('image') };
}

export const MAX_CREATORS_LIMIT = 200;
/** Numbered pages of any depth (no cap on page × limit). */
export const CREATOR_PAGING: PlanLimits = { maxLimit: MAX_CREATORS_LIMIT, maxEnd: null };

export function creatorListRequest(params: { limit: number; page: number; query?: string | undefined }): ReadRequest<CreatorPage> {
  const query: Array<[string, string]> = [
    ['limit', String(params.limit)],
    ['page', String(params.page)],
  ];
  if (params.query !== undefined) query.push(['query', params.query]);
  return readRequest({ route: 'creators', path: '/creators', query, cacheKind: 'list' }, (body, r) => {
    const page = pageBody(body);
    const items = readItems(r, page.items, 'items[]', readCreator);
    return { items, metadata: readMetadata(r, page.metadata), leftOut: r.leftOut };
  });
}
