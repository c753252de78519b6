/** `GET /models` (list, search, batch by ids) and `GET /models/:id`. */
import type { PlanLimits } from '../pagination/page-plan.js';
import type { StreamAnswer } from '../pagination/stream-window.js';
import { Fields, isDrift, isRecord, known, readItems, readRequest, type ReadRequest } from './read.js';
import { pageBody, readMetadata, readModel, type PageMetadata, type UpstreamModel } from './shapes.js';

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
  /** Only models with a version of one of these base models (exact names); versions narrowed to them. */
  baseModels?: readonly string[] | undefined;
  /** 'Trained' or 'Merge': only checkpoints of that kind (and the other `types` asked). */
  checkpointType?: string | undefined;
  /** Each version keeps only its primary file. */
  primaryFileOnly?: boolean | undefined;
  /** Models whose licence allows at least one of these commercial uses. */
  allowCommercialUse?: readonly string[] | undefined;
  allowNoCredit?: boolean | undefined;
  allowDerivatives?: boolean | undefined;
  allowDifferentLicense?: boolean | undefined;
  supportsGeneration?: boolean | undefined;
  earlyAccess?: boolean | undefined;
  /** Include archived models (left out otherwise). */
  archived?: boolean | undefined;
  /** Only the credential's bookmarked (favorites) or hidden models; need a key. */
  favorites?: boolean | undefined;
  hidden?: boolean | undefined;
}

/**
 * How each /models filter reaches Civitai (civitai-api-live-reference.md §4.1, fixture/README.md),
 * in one place:
 * - sent: `types`, `baseModels`, `allowCommercialUse` (repeated, never a comma list: 400), `ids`
 *   (a comma list), `checkpointType` (with `types=Checkpoint` added when no types are asked: on its
 *   own Civitai lets every other type through), `query`, `tag`, `username`, `sort`, `period`,
 *   `rating`;
 * - sent only when true: `nsfw`, `supportsGeneration`, `earlyAccess`, `archived` (z.coerce.boolean
 *   upstream: `=false` would mean true), `favorites`, `hidden` (a key is needed: 401 otherwise);
 * - applied here over the items: `allowNoCredit`, `allowDerivatives`, `allowDifferentLicense`
 *   (z.boolean() upstream: any query-string value is a 400), `supportsGeneration: false` and
 *   `earlyAccess: false` (no upstream form), `primaryFileOnly` (the files' own `primary` flag; the
 *   upstream one follows a key's file preferences), and the PG-only default of `nsfw` over an
 *   upstream that ignores it (the 2022 API lists every level).
 * A 2022-style upstream drops the live-only filters and its items lack the data to check them:
 * those are refused (`refusedBy2022`).
 */
const LOCAL_BOOLEANS = ['allowNoCredit', 'allowDerivatives', 'allowDifferentLicense'] as const;

/** Whether a filter of these params is applied here, over what the upstream returns. */
export function locallyFiltered(params: object): boolean {
  const p = params as Readonly<Record<string, unknown>>;
  return LOCAL_BOOLEANS.some((k) => typeof p[k] === 'boolean') || p.supportsGeneration === false || p.earlyAccess === false;
}

/**
 * Calls one window may spend beyond `maxCallsForWindow` when a filter is applied here: the pages
 * read then hold fewer matches. Past that the window is shorter than asked, `hasNextPage` true.
 */
export const LOCAL_FILTER_EXTRA_CALLS = 4;

/** The live-only filters of these params, which a 2022-style upstream cannot apply or let us check. */
export function refusedBy2022(params: Omit<ModelListParams, 'limit'>): string[] {
  const names: string[] = [];
  if (params.baseModels?.length) names.push('baseModels');
  if (params.checkpointType !== undefined) names.push('checkpointType');
  if (params.allowCommercialUse?.length) names.push('allowCommercialUse');
  for (const k of LOCAL_BOOLEANS) if (params[k] !== undefined) names.push(k);
  if (params.supportsGeneration !== undefined) names.push('supportsGeneration');
  if (params.earlyAccess !== undefined) names.push('earlyAccess');
  return names;
}

/** Whether a model is PG-level: the PG bit of its levels, or (2022, no levels) not flagged NSFW. */
const isPg = (m: UpstreamModel) => {
  // A level or flag that cannot be read cannot show the model is PG: it is not listed as PG.
  if (isDrift(m.nsfwLevel)) return false;
  return m.nsfwLevel !== null ? (m.nsfwLevel & 1) !== 0 : m.nsfw === false;
};

/**
 * The items as these params promise them: the filters applied here, and what they change on an
 * item (PG images only without `nsfw`, the primary file only). Null when nothing is done here.
 */
export function applyLocalFilters(items: readonly UpstreamModel[], params: ModelListParams, now = Date.now()): UpstreamModel[] {
  const active = (m: UpstreamModel) =>
    known(m.modelVersions, []).some((v) => typeof v.earlyAccessDeadline === 'string' && Date.parse(v.earlyAccessDeadline) > now);
  return items
    .filter(
      (m) =>
        (params.nsfw === true || isPg(m)) &&
        LOCAL_BOOLEANS.every((k) => params[k] === undefined || m[k] === params[k]) &&
        (params.supportsGeneration !== false || m.supportsGeneration === false) &&
        (params.earlyAccess !== false || !active(m)),
    )
    .map((m) => {
      const versions = m.modelVersions;
      if (isDrift(versions)) return m;
      const pgImages = params.nsfw !== true && versions.some((v) => known(v.images, []).some((i) => i.nsfw !== false));
      if (!pgImages && !params.primaryFileOnly) return m;
      return {
        ...m,
        modelVersions: versions.map((v) => ({
          ...v,
          // An image whose level cannot be read is not shown as PG.
          images: params.nsfw === true || isDrift(v.images) ? v.images : v.images.filter((i) => i.nsfw === false),
          files: params.primaryFileOnly && !isDrift(v.files) ? v.files.filter((f) => f.primary === true) : v.files,
        })),
      };
    });
}

export interface ModelPage {
  items: UpstreamModel[];
  metadata: PageMetadata;
  /** Items left out for lacking an id. */
  leftOut: number;
}

/** At most this many ids per `/models?ids=` call (civitai-api-live.md). */
export const MAX_IDS_PER_CALL = 100;
export const MAX_MODELS_LIMIT = 100;
/** The live API's page mode ends at page × limit = 1000 (civitai-api-live.md). */
export const MODELS_PAGE_MODE_END = 1000;

/** Which API the upstream's /models answers like, once seen: the live one (cursors) or the 2022 one (numbered pages with totals). */
export type ModelsEra = 'live' | '2022' | undefined;

export interface ModelPaging {
  maxLimit: number;
  /** Numbered pages whose offsets match the list as answered; null when they do not exist or would not match. */
  pages: PlanLimits | null;
  /** Calls a window may spend beyond `maxCallsForWindow` (filters applied here). */
  extraCalls: number;
  /** Why these filters cannot be served by this upstream (before any call), or null. */
  refused: string | null;
}

/**
 * How a model list may be paged: by cursor always (over a 2022-style upstream, cursors made here
 * from its page numbers), by numbered pages unless it is a search or items are filtered here
 * (numbered offsets would count the rows dropped).
 */
export function modelPaging(params: Omit<ModelListParams, 'limit'>, era: ModelsEra = undefined): ModelPaging {
  const local = locallyFiltered(params) || (era === '2022' && params.nsfw !== true);
  const refused = era === '2022' ? refusedBy2022(params) : [];
  return {
    maxLimit: MAX_MODELS_LIMIT,
    // `page` with `query` is a 400 upstream: search pages by cursor only.
    pages: params.query !== undefined || local ? null : { maxLimit: MAX_MODELS_LIMIT, preferredEnd: MODELS_PAGE_MODE_END },
    extraCalls: locallyFiltered(params) ? LOCAL_FILTER_EXTRA_CALLS : 0,
    refused: refused.length ? refusalOf(refused) : null,
  };
}

export const refusalOf = (names: readonly string[]) =>
  `The upstream API (2022 style) cannot filter models by ${names.map((n) => `\`${n}\``).join(', ')}: leave ${names.length > 1 ? 'them' : 'it'} out.`;

/**
 * A cursor made here over a 2022-style upstream, which pages by number only: `@<offset>` of the
 * next unread upstream row. It is read back as the numbered page of MAX_MODELS_LIMIT rows holding
 * that row, so every response from it is the same whatever limit is asked.
 */
const PAGE_CURSOR = /^@(\d{1,9})$/;
/** Whether cursors of this list may be ours (`@<offset>`): never over a live upstream, whose tokens are carried as they are. */
export const madeHere = (era: ModelsEra) => era !== 'live';
export const pageCursor = (offset: number) => `@${offset}`;
export function pageCursorOffset(cursor: string | undefined): number | undefined {
  const match = cursor === undefined ? null : PAGE_CURSOR.exec(cursor);
  return match ? Number(match[1]) : undefined;
}

/**
 * Whether the models of a list are complete, as `/models/:id` would give them, so that they may
 * answer later lookups by id: without `nsfw=true` Civitai filters what a model carries.
 */
export function carriesCompleteModels(params: Pick<ModelListParams, 'nsfw' | 'baseModels' | 'supportsGeneration' | 'primaryFileOnly'>): boolean {
  // baseModels and supportsGeneration narrow the versions upstream; primaryFileOnly the files here.
  return params.nsfw === true && !params.baseModels?.length && params.supportsGeneration !== true && params.primaryFileOnly !== true;
}

export const NO_MODELS: StreamAnswer<UpstreamModel> = { items: [], nextCursor: undefined, more: false, total: 0 };

const normaliseTag = (tag: string) => tag.trim().toLowerCase();

/** A page of /models as pagination reads it, with the `tag` quirk resolved. */
export function modelListAnswer(page: ModelPage, params: Pick<ModelListParams, 'tag'>): StreamAnswer<UpstreamModel> {
  // An unknown `tag` is ignored upstream, which returns unfiltered models: when an item lacks
  // the tag, the filter was not applied and nothing matches (civitai-api-live.md).
  if (params.tag !== undefined) {
    const wanted = normaliseTag(params.tag);
    if (page.items.some((m) => !isDrift(m.tags) && !m.tags.some((t) => normaliseTag(t) === wanted))) return NO_MODELS;
  }
  const { nextCursor, nextPage, totalItems } = page.metadata;
  return { items: page.items, nextCursor, more: nextCursor !== undefined || nextPage !== undefined, total: totalItems ?? null, leftOut: page.leftOut };
}

export function modelListQuery(params: ModelListParams): Array<[string, string]> {
  const query: Array<[string, string]> = [['limit', String(params.limit)]];
  if (params.page !== undefined) query.push(['page', String(params.page)]);
  if (params.cursor !== undefined) query.push(['cursor', params.cursor]);
  if (params.query !== undefined) query.push(['query', params.query]);
  if (params.tag !== undefined) query.push(['tag', params.tag]);
  if (params.username !== undefined) query.push(['username', params.username]);
  // Repeated, never a comma list: a comma list is a 400 upstream. checkpointType alone lets every
  // other type through: asked without types, it means checkpoints of that kind.
  const types = params.types ?? (params.checkpointType !== undefined ? ['Checkpoint'] : []);
  for (const type of types) query.push(['types', type]);
  if (params.sort !== undefined) query.push(['sort', params.sort]);
  if (params.period !== undefined) query.push(['period', params.period]);
  if (params.rating !== undefined) query.push(['rating', String(params.rating)]);
  // Booleans are sent only when true: some upstream flags coerce "false" to true.
  if (params.nsfw) query.push(['nsfw', 'true']);
  if (params.ids?.length) query.push(['ids', params.ids.join(',')]);
  for (const base of params.baseModels ?? []) query.push(['baseModels', base]);
  if (params.checkpointType !== undefined) query.push(['checkpointType', params.checkpointType]);
  for (const use of params.allowCommercialUse ?? []) query.push(['allowCommercialUse', use]);
  if (params.supportsGeneration === true) query.push(['supportsGeneration', 'true']);
  if (params.earlyAccess === true) query.push(['earlyAccess', 'true']);
  if (params.archived === true) query.push(['archived', 'true']);
  if (params.favorites === true) query.push(['favorites', 'true']);
  if (params.hidden === true) query.push(['hidden', 'true']);
  return query;
}

export function modelListRequest(params: ModelListParams): ReadRequest<ModelPage> {
  return readRequest({ route: 'models', path: '/models', query: modelListQuery(params), cacheKind: 'list' }, (body, r) => {
    const page = pageBody(body);
    const items = readItems(r, page.items, 'items[]', (f) => readModel(f, 'list'));
    return { items, metadata: readMetadata(r, page.metadata), leftOut: r.leftOut };
  });
}

export function modelRequest(id: number): ReadRequest<UpstreamModel> {
  return readRequest({ route: 'model', path: `/models/${encodeURIComponent(String(id))}`, cacheKind: 'entity' }, (body, r) => {
    const model = isRecord(body) ? readModel(new Fields(r, body, ''), 'model') : undefined;
    // A model without its id is no answer to a lookup by id.
    if (model === undefined) throw new TypeError('a model without its id');
    return model;
  });
}
