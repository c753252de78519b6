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
 * - Two cursor shapes: the legacy path's next image id (a JSON number), the search path's
 *   `"<offset>|<entry ms>"`. Both are opaque strings here (`metadataSchema`).
 * - The legacy path collapses every sort but Oldest to newest by id, and refuses Random.
 */
import { z } from 'zod';
import type { StreamAnswer } from '../pagination/stream-window.js';
import { UpstreamInputError } from './errors.js';
import { metadataSchema, normaliseDate, type PageMetadata } from './shapes.js';
import type { UpstreamRequest } from './transport.js';

/** `limit` of /images is 0–200 (civitai-api-live-reference.md §3). */
export const MAX_IMAGES_LIMIT = 200;

/**
 * The next cursors /images issues: the legacy path's next image id (a number, sent back as its
 * digits), the search path's `"offset|entry ms"` (civitai-api-live-reference.md §3). Only their
 * characters are required (a timestamp may come as a date): anything else is refused before it is sent.
 */
const FEED_CURSOR = /^[0-9A-Za-z|.:\- ]{1,100}$/;

export function isImageFeedCursor(cursor: string): boolean {
  return FEED_CURSOR.test(cursor);
}

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

/** The level names /images sends as `nsfwLevel`, as the bitmask other routes send. */
const LEVEL_OF_NAME: Record<string, number> = { None: 1, Soft: 2, Mature: 4, X: 8, Blocked: 32 };

const count = z.number().nullish().transform((v) => v ?? null);

const feedImageSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    hash: z.string().nullish(),
    width: z.number().nullish(),
    height: z.number().nullish(),
    type: z.string().nullish(),
    nsfw: z.union([z.boolean(), z.string()]).nullish(),
    nsfwLevel: z.union([z.number(), z.string()]).nullish(),
    browsingLevel: z.number().nullish(),
    createdAt: z.unknown().optional(),
    postId: z.number().int().nullish(),
    username: z.string().nullish(),
    baseModel: z.string().nullish(),
    modelVersionIds: z.array(z.number().int()).nullish(),
    stats: z
      .object({ cryCount: count, laughCount: count, likeCount: count, dislikeCount: count, heartCount: count, commentCount: count })
      .partial()
      .nullish(),
    meta: z.unknown().optional(),
  })
  .transform((i) => {
    const level = levelOf(i.nsfwLevel, i.browsingLevel);
    return {
      id: i.id,
      url: i.url,
      hash: i.hash ?? null,
      width: i.width ?? null,
      height: i.height ?? null,
      type: i.type ?? null,
      nsfwLevel: level,
      nsfw: typeof i.nsfw === 'boolean' ? i.nsfw : level !== null ? level > 1 : false,
      createdAt: normaliseDate(i.createdAt),
      postId: i.postId ?? null,
      username: i.username ? i.username : null,
      baseModel: i.baseModel ?? null,
      modelVersionIds: i.modelVersionIds ?? [],
      stats: {
        likeCount: i.stats?.likeCount ?? null,
        heartCount: i.stats?.heartCount ?? null,
        laughCount: i.stats?.laughCount ?? null,
        cryCount: i.stats?.cryCount ?? null,
        dislikeCount: i.stats?.dislikeCount ?? null,
        commentCount: i.stats?.commentCount ?? null,
      },
      meta: unwrapMeta(i.meta, i.id),
    };
  });

/** An image of the feed, every quirk resolved; `meta` is undefined when it was not asked for. */
export type UpstreamFeedImage = z.output<typeof feedImageSchema>;

/**
 * The bitmask (1 PG, 2 PG-13, 4 R, 8 X, 16 XXX, 32 Blocked): `browsingLevel` when sent (the
 * name maps 16 to X too), else the number, else the name.
 */
function levelOf(nsfwLevel: number | string | null | undefined, browsingLevel: number | null | undefined): number | null {
  if (typeof browsingLevel === 'number') return browsingLevel;
  if (typeof nsfwLevel === 'number') return nsfwLevel;
  if (typeof nsfwLevel === 'string') return LEVEL_OF_NAME[nsfwLevel] ?? null;
  return null;
}

/** Flat meta as it is; wrapped `{id, meta}` (the legacy path) unwrapped; absent or null: null. */
function unwrapMeta(meta: unknown, id: number): unknown {
  if (meta === undefined || meta === null) return null;
  if (typeof meta === 'object' && !Array.isArray(meta)) {
    const keys = Object.keys(meta);
    const wrapped = meta as { id?: unknown; meta?: unknown };
    if (keys.includes('meta') && keys.every((k) => k === 'id' || k === 'meta') && (wrapped.id === undefined || wrapped.id === id)) {
      return wrapped.meta ?? null;
    }
  }
  return meta;
}

const feedPageSchema = z.object({ items: z.array(feedImageSchema), metadata: metadataSchema });

export interface FeedPage {
  items: UpstreamFeedImage[];
  metadata: PageMetadata;
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

export function imageListRequest(params: ImageListParams): UpstreamRequest<FeedPage> {
  return {
    route: 'images',
    path: '/images',
    query: imageListQuery(params),
    cacheKind: 'list',
    parse: (body) => {
      const page = feedPageSchema.parse(body);
      // Without withMeta the null says nothing: leave it undefined (not asked).
      return { items: params.withMeta ? page.items : page.items.map((i) => ({ ...i, meta: undefined })), metadata: page.metadata };
    },
    rejected: baseModelsRejection(params),
  };
}

/** A page of the feed as pagination reads it: only a missing next cursor ends it; no total. */
export function imageListAnswer(page: FeedPage): StreamAnswer<UpstreamFeedImage> {
  const { nextCursor } = page.metadata;
  return { items: page.items, nextCursor, more: nextCursor !== undefined, total: null };
}

/**
 * One image by id: `imageId` takes the legacy path, which hides images above PG unless a level
 * is asked for (an R image comes back as an empty list without `nsfw`), so every level is.
 */
export function imageByIdParams(id: number): ImageListParams {
  return { imageId: id, nsfw: 'X', limit: 1, withMeta: true };
}
