/**
 * The typed Civitai API the loaders use. Besides plain calls it keeps entities learned from
 * complete answers (models from `nsfw=true` lists and `ids` batches, creators from their list)
 * in the cross-request cache under per-entity keys, so later lookups by id cost nothing.
 */
import type { CallScope, UpstreamClient } from './client.js';
import { creatorListRequest, MAX_CREATORS_LIMIT, type CreatorPage, type UpstreamCreator } from './creators.js';
import { UpstreamError } from './errors.js';
import { modelVersionRequest, type UpstreamVersionDetail } from './model-versions.js';
import { MAX_IDS_PER_CALL, modelListRequest, modelRequest, type ModelListParams, type ModelPage, type UpstreamModel } from './models.js';
import { tagListRequest, type TagPage, type UpstreamTag } from './tags.js';

export interface UpstreamApi {
  listModels(params: ModelListParams, scope: CallScope): Promise<ModelPage>;
  /** Models by id, in key order; null for ids the upstream does not show this credential. */
  getModels(ids: readonly number[], scope: CallScope): Promise<Array<UpstreamModel | null>>;
  getModelVersion(id: number, scope: CallScope): Promise<UpstreamVersionDetail | null>;
  listCreators(params: { limit: number; page: number; query?: string | undefined }, scope: CallScope): Promise<CreatorPage>;
  findCreator(username: string, scope: CallScope): Promise<UpstreamCreator | null>;
  listTags(params: { limit: number; page: number; query?: string | undefined }, scope: CallScope): Promise<TagPage>;
  findTag(name: string, scope: CallScope): Promise<UpstreamTag | null>;
  /**
   * Whether this upstream reports tags' model counts: the live API stopped in 2025, the 2022 one
   * did. Learned once from any /tags answer (one small probe if none has been seen yet).
   */
  reportsTagCounts(scope: CallScope): Promise<boolean>;
}

/** Pages of /creators searched for one username before giving up. */
const CREATOR_SEARCH_PAGES = 3;
const TAG_SEARCH_LIMIT = 50;

const modelKey = (id: number) => ({ path: `#model/${id}`, cacheKind: 'entity' as const });
const creatorKey = (username: string) => ({ path: `#creator/${username.toLowerCase()}`, cacheKind: 'entity' as const });

function sizeOf(value: unknown): number {
  return JSON.stringify(value).length * 2;
}

function notFoundToNull<T>(promise: Promise<T>): Promise<T | null> {
  return promise.catch((error: unknown) => {
    if (error instanceof UpstreamError && error.isNotFound) return null;
    throw error;
  });
}

export function createUpstreamApi(client: UpstreamClient): UpstreamApi {
  let tagCounts: boolean | undefined;
  let probe: Promise<boolean> | undefined;
  const learnTagCounts = (page: TagPage) => {
    if (page.items.length > 0) tagCounts = page.items.some((t) => t.modelCount !== null);
    return page;
  };

  function remember(kind: 'model' | 'creator', items: Array<UpstreamModel | UpstreamCreator>, scope: CallScope) {
    for (const item of items) {
      const key = kind === 'model' ? modelKey((item as UpstreamModel).id) : creatorKey((item as UpstreamCreator).username);
      client.prime(key, scope.credential, item, sizeOf(item));
    }
  }

  function cachedEntity<T>(key: { path: string }, scope: CallScope): T | undefined {
    const hit = client.cache.get<T>(client.keyOf(key, scope.credential));
    if (!hit || hit.stale) return undefined;
    scope.cost.cacheHits++;
    return hit.value;
  }

  /** Only `nsfw=true` lists without narrowing filters carry complete models. */
  function isComplete(params: ModelListParams): boolean {
    return params.nsfw === true;
  }

  return {
    async listModels(params, scope) {
      const { value: page, cacheable } = await client.fetch(modelListRequest(params), scope);
      if (cacheable && isComplete(params)) remember('model', page.items, scope);
      return page;
    },

    async getModels(ids, scope) {
      const found = new Map<number, UpstreamModel>();
      const missing: number[] = [];
      for (const id of new Set(ids)) {
        const hit = cachedEntity<UpstreamModel>(modelKey(id), scope);
        if (hit) found.set(id, hit);
        else missing.push(id);
      }
      for (let i = 0; i < missing.length; i += MAX_IDS_PER_CALL) {
        const chunk = missing.slice(i, i + MAX_IDS_PER_CALL);
        // nsfw=true: without it only PG-level models come back, also for ids (civitai-api-live.md).
        const { value: page, cacheable } = await client.fetch(modelListRequest({ ids: chunk, nsfw: true, limit: chunk.length }), scope);
        if (cacheable) remember('model', page.items, scope);
        for (const model of page.items) found.set(model.id, model);
      }
      // Ids the batch did not return (archived, POI, filtered) may still exist by id.
      const stragglers = missing.filter((id) => !found.has(id));
      const singles = await Promise.all(stragglers.map((id) => notFoundToNull(client.fetch(modelRequest(id), scope))));
      singles.forEach((answer, k) => {
        if (answer) {
          found.set(stragglers[k] as number, answer.value);
          if (answer.cacheable) remember('model', [answer.value], scope);
        }
      });
      return ids.map((id) => found.get(id) ?? null);
    },

    getModelVersion: (id, scope) => notFoundToNull(client.get(modelVersionRequest(id), scope)),

    async listCreators(params, scope) {
      const { value: page, cacheable } = await client.fetch(creatorListRequest(params), scope);
      if (cacheable) remember('creator', page.items, scope);
      return page;
    },

    async findCreator(username, scope) {
      const hit = cachedEntity<UpstreamCreator>(creatorKey(username), scope);
      if (hit) return hit;
      // `query` is a substring match: look for the exact name in the first pages.
      for (let page = 1; page <= CREATOR_SEARCH_PAGES; page++) {
        const { value: answer, cacheable } = await client.fetch(creatorListRequest({ limit: MAX_CREATORS_LIMIT, page, query: username }), scope);
        if (cacheable) remember('creator', answer.items, scope);
        const exact =
          answer.items.find((c) => c.username === username) ??
          answer.items.find((c) => c.username.toLowerCase() === username.toLowerCase());
        if (exact) return exact;
        const more = answer.metadata.nextPage !== undefined || answer.metadata.hasMore === true;
        if (!more || answer.items.length < MAX_CREATORS_LIMIT) return null;
      }
      return null;
    },

    listTags: async (params, scope) => learnTagCounts(await client.get(tagListRequest(params), scope)),
    async reportsTagCounts(scope) {
      if (tagCounts !== undefined) return tagCounts;
      probe ??= client
        .get(tagListRequest({ limit: 1, page: 1 }), scope)
        .then((page) => learnTagCounts(page).items.some((t) => t.modelCount !== null))
        .finally(() => (probe = undefined));
      return probe;
    },

    async findTag(name, scope) {
      // `query` is a prefix match, shortest names first: an exact name comes early.
      const answer = learnTagCounts(await client.get(tagListRequest({ limit: TAG_SEARCH_LIMIT, page: 1, query: name }), scope));
      return (
        answer.items.find((t) => t.name === name) ??
        answer.items.find((t) => t.name.toLowerCase() === name.toLowerCase()) ??
        null
      );
    },
  };
}
