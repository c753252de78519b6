/**
 * Per-request DataLoaders: every upstream call of a GraphQL request goes through one of these,
 * so identical lookups in one request are made once and lookups by id are batched. Created
 * fresh for each request (never module-level); caching across requests lives below, in the
 * upstream client.
 */
import DataLoader from 'dataloader';
import { NotFoundError } from '../errors.js';
import type { CallScope } from '../upstream/client.js';
import type { CreatorPage, UpstreamCreator } from '../upstream/creators.js';
import type { UpstreamApi } from '../upstream/index.js';
import type { UpstreamVersionDetail } from '../upstream/model-versions.js';
import type { ModelListParams, ModelPage, UpstreamModel } from '../upstream/models.js';
import type { TagPage, UpstreamTag } from '../upstream/tags.js';

export interface Loaders {
  modelById: DataLoader<number, UpstreamModel>;
  modelVersionById: DataLoader<number, UpstreamVersionDetail>;
  creatorByUsername: DataLoader<string, UpstreamCreator>;
  tagByName: DataLoader<string, UpstreamTag>;
  modelPage: DataLoader<ModelListParams, ModelPage, string>;
  creatorPage: DataLoader<CreatorPageParams, CreatorPage, string>;
  tagPage: DataLoader<TagPageParams, TagPage, string>;
  /** A tag's model count, or null when unknown; no call once the upstream is known to have none. */
  tagModelCount(name: string): Promise<number | null>;
}

export interface CreatorPageParams {
  limit: number;
  page: number;
  query?: string | undefined;
}
export type TagPageParams = CreatorPageParams;

const keyOfParams = (params: object) => JSON.stringify(params, Object.keys(params).sort());

/** One call per distinct key; results in key order; a NotFoundError for each missing key. */
function perKey<K, V>(load: (key: K) => Promise<V | null>, describe: (key: K) => string) {
  return (keys: readonly K[]): Promise<Array<V | Error>> =>
    Promise.all(
      keys.map((key) =>
        load(key).then(
          (value) => value ?? new NotFoundError(describe(key)),
          (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
        ),
      ),
    );
}

export function createLoaders(api: UpstreamApi, scope: CallScope): Loaders {
  const modelById = new DataLoader<number, UpstreamModel>(
    async (ids) => {
      const models = await api.getModels(ids, scope);
      return models.map((model, k) => model ?? new NotFoundError(`Model ${ids[k]}`));
    },
    { maxBatchSize: 100 },
  );

  const modelPage = new DataLoader<ModelListParams, ModelPage, string>(
    async ([params]) => {
      const page = await api.listModels(params as ModelListParams, scope);
      // Models from complete lists answer later lookups by id in this request too.
      if (params?.nsfw) for (const model of page.items) modelById.prime(model.id, model);
      return [page];
    },
    { batch: false, cacheKeyFn: keyOfParams },
  );

  const tagByName = new DataLoader<string, UpstreamTag>(perKey((name: string) => api.findTag(name, scope), (name) => `Tag "${name}"`));
  return {
    modelById,
    modelPage,
    tagByName,
    tagModelCount: async (name) => {
      if (!(await api.reportsTagCounts(scope))) return null;
      return (await tagByName.load(name).catch(() => null))?.modelCount ?? null;
    },
    modelVersionById: new DataLoader<number, UpstreamVersionDetail>(perKey((id: number) => api.getModelVersion(id, scope), (id) => `Model version ${id}`)),
    creatorByUsername: new DataLoader<string, UpstreamCreator>(perKey((name: string) => api.findCreator(name, scope), (name) => `Creator "${name}"`)),
    creatorPage: new DataLoader(async ([params]) => [await api.listCreators(params as CreatorPageParams, scope)], {
      batch: false,
      cacheKeyFn: keyOfParams,
    }),
    tagPage: new DataLoader(async ([params]) => [await api.listTags(params as TagPageParams, scope)], {
      batch: false,
      cacheKeyFn: keyOfParams,
    }),
  };
}
