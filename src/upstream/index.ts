/**
 * The typed Civitai API the loaders use. Lists answer in pagination's shape with Civitai's
 * quirks resolved; lookups answer null for what does not exist. It owns the entity store:
 * models and creators learned from complete answers (`nsfw=true` model lists, `ids` batches,
 * the creator list) are kept by id in the upstream cache, so later lookups cost nothing.
 */
import pLimit from 'p-limit';
import type { CacheNamespace } from '../cache/index.js';
import type { PageAnswer } from '../pagination/offset-window.js';
import type { PlanLimits } from '../pagination/page-plan.js';
import type { StreamAnswer } from '../pagination/stream-window.js';
import { createUpstreamCall, type UpstreamCallOptions } from './call.js';
import { CallBudgetSpent, type Answer, type CallScope, type UpstreamClient } from './client.js';
import { CREATOR_PAGING, creatorListRequest, MAX_CREATORS_LIMIT, type UpstreamCreator } from './creators.js';
import { UpstreamError, type UpstreamRoute } from './errors.js';
import {
  checkImageQuery,
  imageByIdParams,
  imageListAnswer,
  imageListRequest,
  MAX_IMAGES_LIMIT,
  type ImageListParams,
  type UpstreamFeedImage,
} from './images.js';
import {
  BY_HASH_BATCH_MAX,
  looksLikeSha256,
  modelVersionRequest,
  versionByHashRequest,
  versionsByHashBatchRequest,
  type UpstreamVersionDetail,
} from './model-versions.js';
import {
  applyLocalFilters,
  carriesCompleteModels,
  locallyFiltered,
  LOCAL_FILTER_EXTRA_CALLS,
  MAX_IDS_PER_CALL,
  MAX_MODELS_LIMIT,
  modelListAnswer,
  modelListRequest,
  modelPaging,
  madeHere,
  modelRequest,
  NO_MODELS,
  pageCursor,
  pageCursorOffset,
  refusalOf,
  refusedBy2022,
  type ModelPaging,
  type ModelsEra,
  type ModelListParams,
  type UpstreamModel,
} from './models.js';
import { known, Reading, type ReadRequest } from './read.js';
import { numberedPageAnswer } from './shapes.js';
import { TAG_PAGING, tagListRequest, type TagPage, type UpstreamTag } from './tags.js';

export interface ListParams {
  limit: number;
  page: number;
  query?: string | undefined;
}

/** How each list may be paged upstream, for planning. */
export interface UpstreamPaging {
  models(params: Omit<ModelListParams, 'limit'>): ModelPaging;
  creators: PlanLimits;
  tags: PlanLimits;
  /** The images feed pages by cursor only (its numbered pages are not used: civitai#1583). */
  images: { maxLimit: number };
}

export interface UpstreamApi {
  readonly paging: UpstreamPaging;
  listModels(params: ModelListParams, scope: CallScope): Promise<StreamAnswer<UpstreamModel>>;
  /** Models by id, in key order; null for ids the upstream does not show this credential. */
  getModels(ids: readonly number[], scope: CallScope): Promise<Array<UpstreamModel | null>>;
  getModelVersion(id: number, scope: CallScope): Promise<UpstreamVersionDetail | null>;
  /**
   * Versions by file hash (upper-case hex), in key order; null where no file has the hash. SHA256
   * hashes go through the batch POST (BY_HASH_BATCH_MAX per call); other kinds, and 64-digit
   * hashes the batch did not match (BLAKE3 looks like SHA256), one GET each. Where a hash is on
   * files of several versions, the earliest published one answers, as the GET does.
   */
  getVersionsByHash(hashes: readonly string[], scope: CallScope): Promise<Array<UpstreamVersionDetail | null | Error>>;
  listCreators(params: ListParams, scope: CallScope): Promise<PageAnswer<UpstreamCreator>>;
  findCreator(username: string, scope: CallScope): Promise<UpstreamCreator | null>;
  listTags(params: ListParams, scope: CallScope): Promise<PageAnswer<UpstreamTag>>;
  findTag(name: string, scope: CallScope): Promise<UpstreamTag | null>;
  /**
   * Whether this upstream reports tags' model counts: the live API stopped in 2025, the 2022 one
   * did. Learned once from any /tags answer (one small probe if none has been seen yet).
   */
  reportsTagCounts(scope: CallScope): Promise<boolean>;
  /** A window of the images feed; refuses (UpstreamInputError) what Civitai would refuse. */
  listImages(params: ImageListParams, scope: CallScope): Promise<StreamAnswer<UpstreamFeedImage>>;
  /** One image of the feed by id, with its generation parameters; null when Civitai does not show it. */
  getImage(id: number, scope: CallScope): Promise<UpstreamFeedImage | null>;
}

/** What one upstream answer drifted: field pattern (`items[].stats.downloadCount`) → the JSON type that arrived. */
export type DriftObserver = (route: UpstreamRoute, drift: ReadonlyMap<string, string>) => void;

export interface UpstreamApiOptions extends UpstreamCallOptions {
  /** Told of the drift of every answer read from Civitai (not of cached ones: they were told once). */
  onDrift?: DriftObserver;
}

/** The request with its reading reported to `onDrift`. */
function observed<T>(request: ReadRequest<T>, onDrift: DriftObserver | undefined): ReadRequest<T> {
  if (!onDrift) return request;
  return {
    ...request,
    parse: (body) => {
      const reading = new Reading();
      const value = request.read(body, reading);
      if (reading.drift.size) onDrift(request.route, reading.drift);
      return value;
    },
  };
}

/** Pages of /creators searched for one username before giving up. */
const CREATOR_SEARCH_PAGES = 3;
const TAG_SEARCH_LIMIT = 50;

/**
 * What calls of each kind may cost upstream, for the cost plan (src/plugins/query-cost.ts), which
 * hands them to the costs the schema's fields declare: the page caps of the lists, and the calls
 * one lookup by key may make here (a model: the ids batch, then its own call when the batch
 * misses it; a creator: up to CREATOR_SEARCH_PAGES pages of /creators; a version, a tag: one).
 */
export interface UpstreamCostFacts {
  readonly pageCaps: { readonly models: number; readonly creators: number; readonly tags: number; readonly images: number };
  readonly callsPerLookup: { readonly model: number; readonly modelVersion: number; readonly creator: number; readonly tag: number; readonly image: number };
  /**
   * Lookups by file hash: SHA256-like hashes (64 digits) share batch calls of `batchSize`, and one
   * the batch does not match costs one GET more (it may be BLAKE3); other kinds one GET each.
   */
  readonly hashLookup: { readonly batchSize: number; readonly batchableLength: number };
  /** Model lists filtered here may read this many pages more per window (see LOCAL_FILTER_EXTRA_CALLS). */
  readonly modelLists: { readonly localFilterExtraCalls: number; locallyFiltered(args: object): boolean };
}

export const UPSTREAM_COST_FACTS: UpstreamCostFacts = {
  pageCaps: { models: MAX_MODELS_LIMIT, creators: CREATOR_PAGING.maxLimit, tags: TAG_PAGING.maxLimit, images: MAX_IMAGES_LIMIT },
  callsPerLookup: { model: 2, modelVersion: 1, creator: CREATOR_SEARCH_PAGES, tag: 1, image: 1 },
  hashLookup: { batchSize: BY_HASH_BATCH_MAX, batchableLength: 64 },
  modelLists: { localFilterExtraCalls: LOCAL_FILTER_EXTRA_CALLS, locallyFiltered },
};

/** Single by-hash GETs of one batch in flight at once (sdnext and the official CLI also bound theirs). */
const BY_HASH_CONCURRENCY = 16;

/** The earliest published version, then the lowest id: how the by-hash GET picks among several. */
function earliest(versions: readonly UpstreamVersionDetail[]): UpstreamVersionDetail | null {
  const time = (v: UpstreamVersionDetail) => (typeof v.publishedAt === 'string' ? Date.parse(v.publishedAt) : Infinity);
  return [...versions].sort((a, b) => time(a) - time(b) || a.id - b.id)[0] ?? null;
}

/** A 404 where the route has no "not found" meaning (a list) is a failure of that call. */
function present<T>(answer: Answer<T>, route: UpstreamRoute): T {
  if (answer.value === null) throw new UpstreamError({ kind: 'http', route, status: 404 });
  return answer.value;
}

/** The pipeline as the route methods use it: every request is read tolerantly, its drift reported. */
interface ReadClient {
  request<T>(request: ReadRequest<T>, scope: CallScope): Promise<Answer<T>>;
}

/** What the route methods below share: the call pipeline, the entity store and what was learned of this upstream. */
interface ApiState {
  readonly client: ReadClient;
  readonly models: CacheNamespace<UpstreamModel>;
  readonly creators: CacheNamespace<UpstreamCreator>;
  /** Which API the upstream is (live or 2022-style), learned from /models answers. */
  era: ModelsEra;
  /** Whether /tags reports model counts, learned from any /tags answer; the probe asking for it, while one runs. */
  tagCounts: boolean | undefined;
  probe: Promise<boolean> | undefined;
}

const creatorId = (username: string) => username.toLowerCase();

function rememberModels(state: ApiState, items: readonly UpstreamModel[], scope: CallScope) {
  for (const model of items) state.models.set(scope.credential.fingerprint, String(model.id), { value: model, lifetime: 'entity' });
}
function rememberCreators(state: ApiState, items: readonly UpstreamCreator[], scope: CallScope) {
  for (const creator of items) state.creators.set(scope.credential.fingerprint, creatorId(creator.username), { value: creator, lifetime: 'entity' });
}
function learnTagCounts(state: ApiState, page: TagPage): TagPage {
  if (page.items.length > 0) state.tagCounts = page.items.some((t) => t.modelCount !== null);
  return page;
}

/** A fresh entity from the store; a stale one is not worth serving over a new call. */
async function remembered<T>(hit: Promise<{ value: T; stale: boolean } | undefined>, scope: CallScope): Promise<T | undefined> {
  const found = await hit;
  if (!found || found.stale) return undefined;
  scope.cost.cacheHits++;
  return found.value;
}

/** What is sent for a window of models: a cursor made here becomes the numbered page holding that row; lists filtered here read full pages. */
function sentModelParams(params: ModelListParams, era: ModelsEra): { sent: ModelListParams; skip: number } {
  // A cursor made here (2022-style upstream): the numbered page of full size holding that row.
  const offset = madeHere(era) ? pageCursorOffset(params.cursor) : undefined;
  if (offset !== undefined) {
    return { sent: { ...params, cursor: undefined, page: Math.floor(offset / MAX_MODELS_LIMIT) + 1, limit: MAX_MODELS_LIMIT }, skip: offset % MAX_MODELS_LIMIT };
  }
  // Filtered here: read full pages, so that a window fills in few calls (the same rows whatever limit is asked).
  return { sent: locallyFiltered(params) ? { ...params, limit: MAX_MODELS_LIMIT } : params, skip: 0 };
}

async function listModels(state: ApiState, params: ModelListParams, scope: CallScope): Promise<StreamAnswer<UpstreamModel>> {
  const { sent, skip } = sentModelParams(params, state.era);
  const answer = await state.client.request(modelListRequest(sent), scope);
  // An unknown username is a 404 upstream: a filter that matches nothing.
  if (answer.value === null) return NO_MODELS;
  const page = answer.value;
  // Only the 2022 API reports totals on /models (gone since 2024-03); it pages by number.
  const numbered = page.metadata.totalItems !== undefined && page.metadata.nextCursor === undefined;
  if (numbered) state.era = '2022';
  else if (page.metadata.nextCursor !== undefined || page.items.some((m) => m.nsfwLevel !== null)) state.era = 'live';
  // A 2022-style upstream dropped the live-only filters, and its items cannot show whether they hold.
  const refused = numbered ? refusedBy2022(params) : [];
  if (refused.length) throw new UpstreamError({ kind: 'unsupported', route: 'models', upstreamMessage: refusalOf(refused) });
  if (answer.cacheable && carriesCompleteModels(params)) rememberModels(state, page.items, scope);
  const listed = modelListAnswer(page, params);
  const items = applyLocalFilters(listed.items.slice(skip), params);
  if (!numbered) return { ...listed, items, total: locallyFiltered(params) ? null : listed.total };
  // Numbered pages: continue with a cursor made here, so filtered pages and searches page on.
  const next = (sent.page ?? 1) * sent.limit;
  const exact = params.nsfw === true && !locallyFiltered(params);
  return { items, nextCursor: listed.more ? pageCursor(next) : undefined, more: listed.more, total: exact ? listed.total : null, leftOut: page.leftOut };
}

async function getModels(state: ApiState, ids: readonly number[], scope: CallScope): Promise<Array<UpstreamModel | null>> {
  const found = new Map<number, UpstreamModel>();
  const unique = [...new Set(ids)];
  const hits = await Promise.all(unique.map((id) => remembered(state.models.get(scope.credential.fingerprint, String(id)), scope)));
  unique.forEach((id, k) => hits[k] && found.set(id, hits[k]));
  const missing = unique.filter((id) => !found.has(id));
  for (let i = 0; i < missing.length; i += MAX_IDS_PER_CALL) {
    const chunk = missing.slice(i, i + MAX_IDS_PER_CALL);
    // nsfw=true: without it only PG-level models come back, also for ids (civitai-api-live.md).
    const params = { ids: chunk, nsfw: true, limit: chunk.length };
    const answer = await state.client.request(modelListRequest(params), scope);
    const page = present(answer, 'models');
    if (answer.cacheable && carriesCompleteModels(params)) rememberModels(state, page.items, scope);
    for (const model of page.items) found.set(model.id, model);
  }
  // Ids the batch did not return (archived, POI, filtered) may still exist by id.
  const stragglers = missing.filter((id) => !found.has(id));
  const singles = await Promise.all(stragglers.map((id) => state.client.request(modelRequest(id), scope)));
  singles.forEach((answer, k) => {
    if (answer.value === null) return;
    found.set(stragglers[k] as number, answer.value);
    if (answer.cacheable) rememberModels(state, [answer.value], scope);
  });
  return ids.map((id) => found.get(id) ?? null);
}

/** One batch of SHA256 hashes: each matched hash gets the earliest version carrying it; unmatched ones stay unset (a GET may still find them: BLAKE3). */
async function hashBatch(state: ApiState, chunk: string[], found: Map<string, UpstreamVersionDetail | null | Error>, scope: CallScope): Promise<void> {
  let versions: UpstreamVersionDetail[];
  try {
    versions = present(await state.client.request(versionsByHashBatchRequest(chunk), scope), 'by-hash-batch');
  } catch (error) {
    // A failed batch fails its own hashes only, not the other kinds asked with them.
    for (const hash of chunk) found.set(hash, error instanceof Error ? error : new Error(String(error)));
    return;
  }
  const wanted = new Set(chunk);
  const byHash = new Map<string, UpstreamVersionDetail[]>();
  for (const version of versions) {
    for (const file of known(version.files, [])) {
      const sha = known(file.hashes, []).find((h) => h.algorithm.toUpperCase() === 'SHA256')?.hash.toUpperCase();
      if (sha === undefined || !wanted.has(sha)) continue;
      const list = byHash.get(sha) ?? [];
      if (!list.some((v) => v.id === version.id)) list.push(version);
      byHash.set(sha, list);
    }
  }
  for (const [hash, list] of byHash) found.set(hash, earliest(list));
}

async function getVersionsByHash(state: ApiState, hashes: readonly string[], scope: CallScope): Promise<Array<UpstreamVersionDetail | null | Error>> {
  const found = new Map<string, UpstreamVersionDetail | null | Error>();
  const batchable = [...new Set(hashes.filter(looksLikeSha256))];
  const chunks: string[][] = [];
  for (let i = 0; i < batchable.length; i += BY_HASH_BATCH_MAX) chunks.push(batchable.slice(i, i + BY_HASH_BATCH_MAX));
  await Promise.all(chunks.map((chunk) => hashBatch(state, chunk, found, scope)));
  // Other kinds, and 64-digit hashes the batch did not match (a BLAKE3 hash looks the same).
  const singles = [...new Set(hashes)].filter((hash) => !found.has(hash));
  const limit = pLimit(BY_HASH_CONCURRENCY);
  const answers = await Promise.all(singles.map((hash) => limit(() => state.client.request(versionByHashRequest(hash), scope))));
  singles.forEach((hash, k) => found.set(hash, answers[k]?.value ?? null));
  return hashes.map((hash) => found.get(hash) ?? null);
}

async function findCreator(state: ApiState, username: string, scope: CallScope): Promise<UpstreamCreator | null> {
  const hit = await remembered(state.creators.get(scope.credential.fingerprint, creatorId(username)), scope);
  if (hit) return hit;
  // `query` is a substring match: look for the exact name in the first pages.
  for (let page = 1; page <= CREATOR_SEARCH_PAGES; page++) {
    const answer = await state.client.request(creatorListRequest({ limit: MAX_CREATORS_LIMIT, page, query: username }), scope);
    const found = present(answer, 'creators');
    if (answer.cacheable) rememberCreators(state, found.items, scope);
    const exact = found.items.find((c) => c.username === username) ?? found.items.find((c) => c.username.toLowerCase() === username.toLowerCase());
    if (exact) return exact;
    const more = found.metadata.nextPage !== undefined || found.metadata.hasMore === true;
    if (!more || found.items.length < MAX_CREATORS_LIMIT) return null;
  }
  return null;
}

async function reportsTagCounts(state: ApiState, scope: CallScope): Promise<boolean> {
  if (state.tagCounts !== undefined) return state.tagCounts;
  const probeFor = (s: CallScope) =>
    state.client.request(tagListRequest({ limit: 1, page: 1 }), s).then((answer) => learnTagCounts(state, present(answer, 'tags')).items.some((t) => t.modelCount !== null));
  state.probe ??= probeFor(scope).finally(() => (state.probe = undefined));
  // The probe is shared; one refused by another request's call budget is made again on ours.
  return state.probe.catch((error: unknown) => {
    if (error instanceof CallBudgetSpent && error.scope !== scope) return probeFor(scope);
    throw error;
  });
}

async function findTag(state: ApiState, name: string, scope: CallScope): Promise<UpstreamTag | null> {
  // `query` is a prefix match, shortest names first: an exact name comes early.
  const answer = learnTagCounts(state, present(await state.client.request(tagListRequest({ limit: TAG_SEARCH_LIMIT, page: 1, query: name }), scope), 'tags'));
  return answer.items.find((t) => t.name === name) ?? answer.items.find((t) => t.name.toLowerCase() === name.toLowerCase()) ?? null;
}

/** The API as an assembly: one state, each route method a function of it. */
export function createUpstreamApi(options: UpstreamApiOptions): UpstreamApi {
  const pipeline = createUpstreamCall(options);
  const client: ReadClient = { request: (request, scope) => pipeline.request(observed(request, options.onDrift), scope) };
  const state: ApiState = {
    client,
    models: options.cache.namespace<UpstreamModel>('model'),
    creators: options.cache.namespace<UpstreamCreator>('creator'),
    era: undefined,
    tagCounts: undefined,
    probe: undefined,
  };
  return {
    paging: { models: (params) => modelPaging(params, state.era), creators: CREATOR_PAGING, tags: TAG_PAGING, images: { maxLimit: MAX_IMAGES_LIMIT } },
    listModels: (params, scope) => listModels(state, params, scope),
    getModels: (ids, scope) => getModels(state, ids, scope),
    getModelVersion: async (id, scope) => (await client.request(modelVersionRequest(id), scope)).value,
    getVersionsByHash: (hashes, scope) => getVersionsByHash(state, hashes, scope),
    async listCreators(params, scope) {
      const answer = await client.request(creatorListRequest(params), scope);
      const page = present(answer, 'creators');
      if (answer.cacheable) rememberCreators(state, page.items, scope);
      return numberedPageAnswer(page, params);
    },
    findCreator: (username, scope) => findCreator(state, username, scope),
    listTags: async (params, scope) => numberedPageAnswer(learnTagCounts(state, present(await client.request(tagListRequest(params), scope), 'tags')), params),
    reportsTagCounts: (scope) => reportsTagCounts(state, scope),
    async listImages(params, scope) {
      checkImageQuery(params);
      return imageListAnswer(present(await client.request(imageListRequest(params), scope), 'images'));
    },
    async getImage(id, scope) {
      const answer = present(await client.request(imageListRequest(imageByIdParams(id)), scope), 'images');
      return answer.items.find((image) => image.id === id) ?? null;
    },
    findTag: (name, scope) => findTag(state, name, scope),
  };
}
