/**
 * `GET /images`: the images feed (civitai-api-live-reference.md §4.9). Its quirks are resolved
 * here and nowhere else:
 * - `nsfwLevel` is a level *name* on this route (None|Soft|Mature|X|Blocked) and a bitmask
 *   number everywhere else; `browsingLevel` carries the number. Both read as the bitmask.
 * - `meta` is `null` unless `withMeta=true`; then flat on the search path and wrapped
 *   `{id, meta}` on the legacy path (`imageId`, or `modelId` without `modelVersionId`).
 * - `username` must match `^[A-Za-z0-9_]*$`: refused here before any call.
 * - `baseModels` is an enum only the upstream knows (it grows monthly): its 400 lists the valid
 *   values, which become the caller's error.
 * - Two cursor shapes today: the legacy path's next image id (a JSON number), the search path's
 *   `"<offset>|<entry ms>"`. Both are opaque strings here (`readMetadata`), sent back as they came.
 * - The legacy path collapses every sort but Oldest to newest by id, and refuses Random.
 */
import type { StreamAnswer } from '../pagination/stream-window.js';
import { UpstreamInputError } from './errors.js';
import { Fields, isDrift, readItems, readRequest, type Drifting, type ReadRequest } from './read.js';
import { pageBody, readDate, readImageNsfw, readLevel, readMetadata, type PageMetadata } from './shapes.js';

/** `limit` of /images is 0–200 (civitai-api-live-reference.md §3). */
export const MAX_IMAGES_LIMIT = 200;

/** What Civitai accepts as a username on /images (its zod regex). */
export const IMAGE_USERNAME = /^[A-Za-z0-9_]*$/;

export interface ImageListParams {
  limit: number;
  cursor?: string | undefined;
  modelId?: number | undefined;
  modelVersionId?: number | undefined;
  postId?: number | undefined;
  imageId?: number | undefined;
  username?: string | undefined;
  /** `Most Reactions` | `Most Comments` | `Most Collected` | `Newest` | `Oldest`. */
  sort?: string | undefined;
  period?: string | undefined;
  /** A level name, cumulative: None (PG, the default) | Soft | Mature | X. */
  nsfw?: string | undefined;
  baseModels?: readonly string[] | undefined;
  type?: string | undefined;
  /** Ask for generation parameters; without it Civitai sends `meta: null`. */
  withMeta: boolean;
}

export interface ImageStats {
  likeCount: Drifting<number | null>;
  heartCount: Drifting<number | null>;
  laughCount: Drifting<number | null>;
  cryCount: Drifting<number | null>;
  dislikeCount: Drifting<number | null>;
  commentCount: Drifting<number | null>;
}

/** An image of the feed, every quirk resolved; `meta` is undefined when it was not asked for. */
export interface UpstreamFeedImage {
  id: number;
  url: Drifting<string>;
  hash: Drifting<string | null>;
  width: Drifting<number | null>;
  height: Drifting<number | null>;
  type: Drifting<string | null>;
  nsfwLevel: Drifting<number | null>;
  nsfw: Drifting<boolean>;
  createdAt: Drifting<string | null>;
  postId: Drifting<number | null>;
  username: Drifting<string | null>;
  baseModel: Drifting<string | null>;
  modelVersionIds: Drifting<number[]>;
  stats: Drifting<ImageStats>;
  meta: unknown;
}

const readStats = (s: Fields): ImageStats => ({
  likeCount: s.int('likeCount'),
  heartCount: s.int('heartCount'),
  laughCount: s.int('laughCount'),
  cryCount: s.int('cryCount'),
  dislikeCount: s.int('dislikeCount'),
  commentCount: s.int('commentCount'),
});

/** Ids of versions: whole numbers (numeric strings read as them); anything else drifts the list. */
function readIds(f: Fields, key: string): Drifting<number[]> {
  const names = f.strings(key);
  if (isDrift(names)) return names;
  const ids = names.map(Number);
  return ids.every((n) => Number.isSafeInteger(n) && n >= 0) ? ids : f.r.mark(f.at, key, f.raw[key]);
}

/** An image of the feed, or undefined without its id (left out of its page). */
function readFeedImage(f: Fields): UpstreamFeedImage | undefined {
  const id = f.id();
  if (id === undefined) return undefined;
  // The bitmask (1 PG, 2 PG-13, 4 R, 8 X, 16 XXX, 32 Blocked): `browsingLevel` when sent (the
  // name maps 16 to X too), else the number, else the name.
  const browsing = f.int('browsingLevel');
  const { level, nsfw } = readImageNsfw(f, browsing !== null ? browsing : readLevel(f, 'nsfwLevel'));
  const username = f.string('username');
  const stats = f.nested('stats', readStats);
  return {
    id,
    url: f.requiredString('url'),
    hash: f.string('hash'),
    width: f.int('width'),
    height: f.int('height'),
    type: f.string('type'),
    nsfwLevel: level,
    nsfw,
    createdAt: readDate(f, 'createdAt'),
    postId: f.int('postId'),
    username: username === '' ? null : username,
    baseModel: f.string('baseModel'),
    modelVersionIds: readIds(f, 'modelVersionIds'),
    stats: stats ?? readStats(new Fields(f.r, {}, '')),
    meta: unwrapMeta(f, id),
  };
}

/** Flat meta as it is; wrapped `{id, meta}` (the legacy path) unwrapped; absent or null: null; not an object: drift. */
function unwrapMeta(f: Fields, id: number): unknown {
  const meta = f.object('meta');
  if (meta === null || isDrift(meta)) return meta;
  const keys = Object.keys(meta);
  if (keys.includes('meta') && keys.every((k) => k === 'id' || k === 'meta') && (meta.id === undefined || meta.id === id)) {
    return new Fields(f.r, meta, f.at ? `${f.at}.meta` : 'meta').object('meta');
  }
  return meta;
}

export interface FeedPage {
  items: UpstreamFeedImage[];
  metadata: PageMetadata;
  /** Items left out for lacking an id. */
  leftOut: number;
}

/** Refuses, before any call, what the upstream is known to refuse. */
export function checkImageQuery(params: ImageListParams): void {
  if (params.username !== undefined && !IMAGE_USERNAME.test(params.username)) {
    throw new UpstreamInputError('username', '`username` can only contain letters, numbers and _ (Civitai\u2019s rule for the images feed).');
  }
}

export function imageListQuery(params: ImageListParams): Array<[string, string]> {
  const query: Array<[string, string]> = [['limit', String(params.limit)]];
  if (params.cursor !== undefined) query.push(['cursor', params.cursor]);
  if (params.modelId !== undefined) query.push(['modelId', String(params.modelId)]);
  if (params.modelVersionId !== undefined) query.push(['modelVersionId', String(params.modelVersionId)]);
  if (params.postId !== undefined) query.push(['postId', String(params.postId)]);
  if (params.imageId !== undefined) query.push(['imageId', String(params.imageId)]);
  if (params.username !== undefined) query.push(['username', params.username]);
  if (params.sort !== undefined) query.push(['sort', params.sort]);
  if (params.period !== undefined) query.push(['period', params.period]);
  if (params.nsfw !== undefined) query.push(['nsfw', params.nsfw]);
  // Repeated: each value is taken whole (a comma list would split a name on its commas).
  for (const base of params.baseModels ?? []) query.push(['baseModels', base]);
  if (params.type !== undefined) query.push(['type', params.type]);
  // Sent only when wanted: meta makes the answer several times larger.
  if (params.withMeta) query.push(['withMeta', 'true']);
  return query;
}

interface Issue {
  path?: unknown[];
  values?: unknown[];
  options?: unknown[];
}

/** The issues of a zod 400: v4 `{error: {name, message: "<JSON issues>"}}`, v3 `{error: {issues}}`. */
function issuesOf(body: unknown): Issue[] {
  const error = (body as { error?: unknown } | null)?.error as { message?: unknown; issues?: unknown } | undefined;
  if (!error || typeof error !== 'object') return [];
  if (Array.isArray(error.issues)) return error.issues as Issue[];
  if (typeof error.message === 'string') {
    const parsed: unknown = JSON.parse(error.message);
    if (Array.isArray(parsed)) return parsed as Issue[];
  }
  return [];
}

/** A 400 on `baseModels` lists every valid value: the caller's error, naming them. */
function baseModelsRejection(params: ImageListParams) {
  return (status: number, body: unknown): Error | undefined => {
    if (status !== 400) return undefined;
    const issue = issuesOf(body).find((i) => Array.isArray(i.path) && i.path[0] === 'baseModels');
    if (!issue) return undefined;
    const valid = (issue.values ?? issue.options ?? []).filter((v): v is string => typeof v === 'string');
    // The issue's index counts the values as sent: in the sorted order of the query (targetOf).
    const at = issue.path?.[1];
    const given = typeof at === 'number' ? [...(params.baseModels ?? [])].sort()[at] : undefined;
    const which = given !== undefined ? `"${given}" is not a base model Civitai knows` : 'Civitai does not know one of these base models';
    return new UpstreamInputError('baseModels', `\`baseModels\`: ${which}. Valid values: ${valid.map((v) => JSON.stringify(v)).join(', ')}.`);
  };
}

export function imageListRequest(params: ImageListParams): ReadRequest<FeedPage> {
  return readRequest(
    { route: 'images', path: '/images', query: imageListQuery(params), cacheKind: 'list', rejected: baseModelsRejection(params) },
    (body, r) => {
      const page = pageBody(body);
      const items = readItems(r, page.items, 'items[]', readFeedImage);
      // Without withMeta the null says nothing: leave it undefined (not asked).
      return { items: params.withMeta ? items : items.map((i) => ({ ...i, meta: undefined })), metadata: readMetadata(r, page.metadata), leftOut: r.leftOut };
    },
  );
}

/** A page of the feed as pagination reads it: only a missing next cursor ends it; no total. */
export function imageListAnswer(page: FeedPage): StreamAnswer<UpstreamFeedImage> {
  const { nextCursor } = page.metadata;
  return { items: page.items, nextCursor, more: nextCursor !== undefined, total: null, leftOut: page.leftOut };
}

/**
 * One image by id: `imageId` takes the legacy path, which hides images above PG unless a level
 * is asked for (an R image comes back as an empty list without `nsfw`), so every level is.
 */
export function imageByIdParams(id: number): ImageListParams {
  return { imageId: id, nsfw: 'X', limit: 1, withMeta: true };
}
