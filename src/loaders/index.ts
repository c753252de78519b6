/**
 * Per-request DataLoaders: every upstream call of a GraphQL request goes through one of these,
 * so identical lookups in one request are made once and lookups by id are batched. Created
 * fresh for each request (never module-level); caching across requests lives below, in the
 * upstream API. A lookup of something that does not exist answers null; only the schema's
 * entry points turn that into NOT_FOUND.
 * Not @pothos/plugin-dataloader: these loaders are keyed by upstream call (pages, hash batches),
 * not by GraphQL type, several types share one (a version by id or by hash), and the cost plan
 * names them; per-type loadable objects would split them (node loading already uses them).
 */
import DataLoader from 'dataloader';
import type { PageAnswer } from '../pagination/offset-window.js';
import type { StreamAnswer } from '../pagination/stream-window.js';
import type { CallScope } from '../upstream/client.js';
import type { UpstreamCreator } from '../upstream/creators.js';
import type { ImageListParams, UpstreamFeedImage } from '../upstream/images.js';
import type { ListParams, UpstreamApi, UpstreamPaging } from '../upstream/index.js';
import type { UpstreamVersionDetail } from '../upstream/model-versions.js';
import { carriesCompleteModels, MAX_IDS_PER_CALL, type ModelListParams, type UpstreamModel } from '../upstream/models.js';
import type { Drifting } from '../upstream/read.js';
import type { UpstreamTag } from '../upstream/tags.js';

export interface Loaders {
  modelById: DataLoader<number, UpstreamModel | null>;
  modelVersionById: DataLoader<number, UpstreamVersionDetail | null>;
  /** Versions by file hash, keyed by the upper-cased hash: one batch for every hash field of a request. */
  modelVersionByHash: DataLoader<string, UpstreamVersionDetail | null>;
  creatorByUsername: DataLoader<string, UpstreamCreator | null>;
  tagByName: DataLoader<string, UpstreamTag | null>;
  modelPage: DataLoader<ModelListParams, StreamAnswer<UpstreamModel>, string>;
  creatorPage: DataLoader<ListParams, PageAnswer<UpstreamCreator>, string>;
  tagPage: DataLoader<ListParams, PageAnswer<UpstreamTag>, string>;
  /** A tag's model count, or null when unknown; no call once the upstream is known to have none. */
  tagModelCount(name: string): Promise<Drifting<number | null>>;
  /** How each list may be paged upstream. */
  readonly paging: UpstreamPaging;
  /** An image of the feed by id, with its generation parameters. */
  imageById: DataLoader<number, UpstreamFeedImage | null>;
  /** A window of the images feed; `withMeta` is part of the key. */
  imagePage: DataLoader<ImageListParams, StreamAnswer<UpstreamFeedImage>, string>;
  /** Starts these creator lookups now, not when DataLoader next dispatches (schema/prime.ts). */
  primeCreators(usernames: readonly string[]): void;
}

const keyOfParams = (params: object) => JSON.stringify(params, Object.keys(params).sort());

/** One call per distinct key; results in key order, a failure only for its own key. */
function perKey<K, V>(load: (key: K) => Promise<V>) {
  return (keys: readonly K[]): Promise<Array<V | Error>> =>
    Promise.all(keys.map((key) => load(key).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))));
}

/** One call per list page (no batching), remembered for the request by its parameters. */
function pageLoader<P extends object, V>(load: (params: P) => Promise<V>) {
  return new DataLoader<P, V, string>(async ([params]) => [await load(params as P)], { batch: false, cacheKeyFn: keyOfParams });
}

export function createLoaders(api: UpstreamApi, scope: CallScope): Loaders {
  const modelById = new DataLoader<number, UpstreamModel | null>((ids) => api.getModels(ids, scope), { maxBatchSize: MAX_IDS_PER_CALL });

  const modelPage = pageLoader(async (params: ModelListParams) => {
    const answer = await api.listModels(params, scope);
    // Models from complete lists answer later lookups by id in this request too.
    if (carriesCompleteModels(params)) for (const model of answer.items) modelById.prime(model.id, model);
    return answer;
  });

  const creatorLookups = new Map<string, Promise<UpstreamCreator | null>>();
  const creatorByUsername = new DataLoader<string, UpstreamCreator | null>(perKey((name: string) => api.findCreator(name, scope)), { cacheMap: creatorLookups });
  const imageById = new DataLoader(perKey((id: number) => api.getImage(id, scope)));
  const imagePage = pageLoader(async (params: ImageListParams) => {
    const answer = await api.listImages(params, scope);
    // Images read with their meta are whole: they answer lookups by id in this request too.
    if (params.withMeta) for (const image of answer.items) imageById.prime(image.id, image);
    return answer;
  });

  const tagByName = new DataLoader<string, UpstreamTag | null>(perKey((name: string) => api.findTag(name, scope)));
  return {
    paging: api.paging,
    modelById,
    modelPage,
    tagByName,
    tagModelCount: async (name) => {
      if (!(await api.reportsTagCounts(scope))) return null;
      return (await tagByName.load(name))?.modelCount ?? null;
    },
    modelVersionById: new DataLoader(perKey((id: number) => api.getModelVersion(id, scope))),
    modelVersionByHash: new DataLoader((hashes) => api.getVersionsByHash(hashes, scope), { cacheKeyFn: (hash) => hash.toUpperCase() }),
    creatorByUsername,
    primeCreators(usernames) {
      for (const name of usernames) {
        if (creatorLookups.has(name)) continue;
        const lookup = api.findCreator(name, scope);
        lookup.catch(() => undefined); // a failure reaches whoever loads it
        creatorByUsername.prime(name, lookup);
      }
    },
    creatorPage: pageLoader((params: ListParams) => api.listCreators(params, scope)),
    tagPage: pageLoader((params: ListParams) => api.listTags(params, scope)),
    imageById,
    imagePage,
  };
}
