/**
 * The typed Civitai API the loaders use. Lists answer in pagination's shape with Civitai's
 * quirks resolved; lookups answer null for what does not exist. It owns the entity store:
 * models and creators learned from complete answers (`nsfw=true` model lists, `ids` batches,
 * the creator list) are kept by id in the upstream cache, so later lookups cost nothing.
 */
import type { UpstreamCache } from '../cache/index.js';
import type { PageAnswer } from '../pagination/offset-window.js';
import type { PlanLimits } from '../pagination/page-plan.js';
import type { StreamAnswer } from '../pagination/stream-window.js';
import { CallBudgetSpent, createUpstreamClient, type Answer, type CallScope } from './client.js';
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
import { createTransport, type TransportOptions } from './transport.js';

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

export interface UpstreamApiOptions extends TransportOptions {
  cache: UpstreamCache;
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

/** `work` over every item, at most `width` at a time; results in item order. */
async function inTurns<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const k = next++;
      results[k] = await work(items[k] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}

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

export function createUpstreamApi(options: UpstreamApiOptions): UpstreamApi {
  const upstream = createUpstreamClient(createTransport(options), options.cache);
  const client = { request: <T>(request: ReadRequest<T>, scope: CallScope) => upstream.request(observed(request, options.onDrift), scope) };
  const models = options.cache.namespace<UpstreamModel>('model');
  const creators = options.cache.namespace<UpstreamCreator>('creator');
  const creatorId = (username: string) => username.toLowerCase();

  let era: ModelsEra;
  let tagCounts: boolean | undefined;
  let probe: Promise<boolean> | undefined;
  const learnTagCounts = (page: TagPage) => {
    if (page.items.length > 0) tagCounts = page.items.some((t) => t.modelCount !== null);
    return page;
  };

  function rememberModels(items: readonly UpstreamModel[], scope: CallScope) {
    for (const model of items) models.set(scope.credential.fingerprint, String(model.id), { value: model, lifetime: 'entity' });
  }
  function rememberCreators(items: readonly UpstreamCreator[], scope: CallScope) {
    for (const creator of items) creators.set(scope.credential.fingerprint, creatorId(creator.username), { value: creator, lifetime: 'entity' });
  }

  /** A fresh entity from the store; a stale one is not worth serving over a new call. */
  async function remembered<T>(hit: Promise<{ value: T; stale: boolean } | undefined>, scope: CallScope): Promise<T | undefined> {
    const found = await hit;
    if (!found || found.stale) return undefined;
    scope.cost.cacheHits++;
    return found.value;
  }

  return {
    paging: { models: (params) => modelPaging(params, era), creators: CREATOR_PAGING, tags: TAG_PAGING, images: { maxLimit: MAX_IMAGES_LIMIT } },

    async listModels(params, scope) {
      // A cursor made here (2022-style upstream): the numbered page of full size holding that row.
      const offset = madeHere(era) ? pageCursorOffset(params.cursor) : undefined;
      const skip = offset === undefined ? 0 : offset % MAX_MODELS_LIMIT;
      const sent: ModelListParams =
        offset !== undefined
          ? { ...params, cursor: undefined, page: Math.floor(offset / MAX_MODELS_LIMIT) + 1, limit: MAX_MODELS_LIMIT }
          : // Filtered here: read full pages, so that a window fills in few calls (the same rows whatever limit is asked).
            locallyFiltered(params) ? { ...params, limit: MAX_MODELS_LIMIT } : params;
      const answer = await client.request(modelListRequest(sent), scope);
      // An unknown username is a 404 upstream: a filter that matches nothing.
      if (answer.value === null) return NO_MODELS;
      const page = answer.value;
      // Only the 2022 API reports totals on /models (gone since 2024-03); it pages by number.
      const numbered = page.metadata.totalItems !== undefined && page.metadata.nextCursor === undefined;
      if (numbered) era = '2022';
      else if (page.metadata.nextCursor !== undefined || page.items.some((m) => m.nsfwLevel !== null)) era = 'live';
      // A 2022-style upstream dropped the live-only filters, and its items cannot show whether they hold.
      const refused = numbered ? refusedBy2022(params) : [];
      if (refused.length) throw new UpstreamError({ kind: 'unsupported', route: 'models', upstreamMessage: refusalOf(refused) });
      if (answer.cacheable && carriesCompleteModels(params)) rememberModels(page.items, scope);
      const listed = modelListAnswer(page, params);
      const items = applyLocalFilters(listed.items.slice(skip), params);
      if (!numbered) return { ...listed, items, total: locallyFiltered(params) ? null : listed.total };
      // Numbered pages: continue with a cursor made here, so filtered pages and searches page on.
      const next = (sent.page ?? 1) * sent.limit;
      const exact = params.nsfw === true && !locallyFiltered(params);
      return { items, nextCursor: listed.more ? pageCursor(next) : undefined, more: listed.more, total: exact ? listed.total : null, leftOut: page.leftOut };
    },

    async getModels(ids, scope) {
      const found = new Map<number, UpstreamModel>();
      const missing: number[] = [];
      const unique = [...new Set(ids)];
      const hits = await Promise.all(unique.map((id) => remembered(models.get(scope.credential.fingerprint, String(id)), scope)));
      unique.forEach((id, k) => {
        const hit = hits[k];
        if (hit) found.set(id, hit);
        else missing.push(id);
      });
      for (let i = 0; i < missing.length; i += MAX_IDS_PER_CALL) {
        const chunk = missing.slice(i, i + MAX_IDS_PER_CALL);
        // nsfw=true: without it only PG-level models come back, also for ids (civitai-api-live.md).
        const params = { ids: chunk, nsfw: true, limit: chunk.length };
        const answer = await client.request(modelListRequest(params), scope);
        const page = present(answer, 'models');
        if (answer.cacheable && carriesCompleteModels(params)) rememberModels(page.items, scope);
        for (const model of page.items) found.set(model.id, model);
      }
      // Ids the batch did not return (archived, POI, filtered) may still exist by id.
      const stragglers = missing.filter((id) => !found.has(id));
      const singles = await Promise.all(stragglers.map((id) => client.request(modelRequest(id), scope)));
      singles.forEach((answer, k) => {
        if (answer.value === null) return;
        found.set(stragglers[k] as number, answer.value);
        if (answer.cacheable) rememberModels([answer.value], scope);
      });
      return ids.map((id) => found.get(id) ?? null);
    },

    getModelVersion: async (id, scope) => (await client.request(modelVersionRequest(id), scope)).value,

    async getVersionsByHash(hashes, scope) {
      const found = new Map<string, UpstreamVersionDetail | null | Error>();
      const batchable = [...new Set(hashes.filter(looksLikeSha256))];
      const chunks: string[][] = [];
      for (let i = 0; i < batchable.length; i += BY_HASH_BATCH_MAX) chunks.push(batchable.slice(i, i + BY_HASH_BATCH_MAX));
      await Promise.all(
        chunks.map(async (chunk) => {
          let versions: UpstreamVersionDetail[];
          try {
            versions = present(await client.request(versionsByHashBatchRequest(chunk), scope), 'by-hash-batch');
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
          // Unmatched ones stay unset: a GET may still find them (BLAKE3).
        }),
      );
      // Other kinds, and 64-digit hashes the batch did not match (a BLAKE3 hash looks the same).
      const singles = [...new Set(hashes)].filter((hash) => !found.has(hash));
      const answers = await inTurns(singles, BY_HASH_CONCURRENCY, (hash) => client.request(versionByHashRequest(hash), scope));
      singles.forEach((hash, k) => found.set(hash, answers[k]?.value ?? null));
      return hashes.map((hash) => found.get(hash) ?? null);
    },

    async listCreators(params, scope) {
      const answer = await client.request(creatorListRequest(params), scope);
      const page = present(answer, 'creators');
      if (answer.cacheable) rememberCreators(page.items, scope);
      return numberedPageAnswer(page, params);
    },

    async findCreator(username, scope) {
      const hit = await remembered(creators.get(scope.credential.fingerprint, creatorId(username)), scope);
      if (hit) return hit;
      // `query` is a substring match: look for the exact name in the first pages.
      for (let page = 1; page <= CREATOR_SEARCH_PAGES; page++) {
        const answer = await client.request(creatorListRequest({ limit: MAX_CREATORS_LIMIT, page, query: username }), scope);
        const found = present(answer, 'creators');
        if (answer.cacheable) rememberCreators(found.items, scope);
        const exact =
          found.items.find((c) => c.username === username) ??
          found.items.find((c) => c.username.toLowerCase() === username.toLowerCase());
        if (exact) return exact;
        const more = found.metadata.nextPage !== undefined || found.metadata.hasMore === true;
        if (!more || found.items.length < MAX_CREATORS_LIMIT) return null;
      }
      return null;
    },

    listTags: async (params, scope) => numberedPageAnswer(learnTagCounts(present(await client.request(tagListRequest(params), scope), 'tags')), params),

    async reportsTagCounts(scope) {
      if (tagCounts !== undefined) return tagCounts;
      const probeFor = (s: CallScope) =>
        client.request(tagListRequest({ limit: 1, page: 1 }), s).then((answer) => learnTagCounts(present(answer, 'tags')).items.some((t) => t.modelCount !== null));
      probe ??= probeFor(scope).finally(() => (probe = undefined));
      // The probe is shared; one refused by another request's call budget is made again on ours.
      return probe.catch((error: unknown) => {
        if (error instanceof CallBudgetSpent && error.scope !== scope) return probeFor(scope);
        throw error;
      });
    },

    async listImages(params, scope) {
      checkImageQuery(params);
      return imageListAnswer(present(await client.request(imageListRequest(params), scope), 'images'));
    },

    async getImage(id, scope) {
      const answer = present(await client.request(imageListRequest(imageByIdParams(id)), scope), 'images');
      return answer.items.find((image) => image.id === id) ?? null;
    },

    async findTag(name, scope) {
      // `query` is a prefix match, shortest names first: an exact name comes early.
      const answer = learnTagCounts(present(await client.request(tagListRequest({ limit: TAG_SEARCH_LIMIT, page: 1, query: name }), scope), 'tags'));
      return (
        answer.items.find((t) => t.name === name) ??
        answer.items.find((t) => t.name.toLowerCase() === name.toLowerCase()) ??
        null
      );
    },
  };
}
