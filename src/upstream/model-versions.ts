/** `GET /model-versions/:id`: one version with its files, images and a summary of its model. */
import { z } from 'zod';
import type { UpstreamRequest } from './transport.js';
import { versionBaseSchema, type UpstreamVersion } from './shapes.js';

export interface ModelSummary {
  name: string | null;
  type: string | null;
  nsfw: boolean | null;
  poi: boolean | null;
  mode: string | null;
}

export interface UpstreamVersionDetail extends UpstreamVersion {
  model: ModelSummary;
}

// Today `model {name, type, nsfw, poi, mode?}`; the 2022 example had `modelName` instead.
const detailSchema = versionBaseSchema
  .extend({
    modelId: z.number().int(),
    modelName: z.string().nullish(),
    model: z
      .object({
        name: z.string().nullish(),
        type: z.string().nullish(),
        nsfw: z.boolean().nullish(),
        poi: z.boolean().nullish(),
        mode: z.string().nullish(),
      })
      .nullish(),
  })
  .transform(({ modelName, model, ...version }): UpstreamVersionDetail => ({
    ...version,
    source: 'detail',
    model: {
      name: model?.name ?? modelName ?? null,
      type: model?.type ?? null,
      nsfw: model?.nsfw ?? null,
      poi: model?.poi ?? null,
      mode: model?.mode ?? null,
    },
  }));

export function modelVersionRequest(id: number): UpstreamRequest<UpstreamVersionDetail> {
  return {
    route: 'model-version',
    path: `/model-versions/${encodeURIComponent(String(id))}`,
    cacheKind: 'entity',
    parse: (body) => detailSchema.parse(body),
  };
}

/** `GET /model-versions/by-hash/:hash`: the version of any file with this hash, of any kind (upper-cased upstream). */
export function versionByHashRequest(hash: string): UpstreamRequest<UpstreamVersionDetail> {
  return {
    route: 'by-hash',
    path: `/model-versions/by-hash/${encodeURIComponent(hash)}`,
    cacheKind: 'entity',
    parse: (body) => detailSchema.parse(body),
  };
}

/** Most SHA256 hashes one `POST /model-versions/by-hash` may carry (more is a 400). */
export const BY_HASH_BATCH_MAX = 100;

/** A SHA256 hash (64 hex digits). A BLAKE3 hash looks the same, and the batch matches SHA256 only. */
export const looksLikeSha256 = (hash: string): boolean => /^[0-9A-F]{64}$/i.test(hash);

/**
 * `POST /model-versions/by-hash` with up to BY_HASH_BATCH_MAX SHA256 hashes: full versions of the
 * matching files. Unmatched hashes are dropped, the order is not the request's, and a version
 * comes once per matching file, so callers match hashes to versions through the files' hashes.
 */
export function versionsByHashBatchRequest(hashes: readonly string[]): UpstreamRequest<UpstreamVersionDetail[]> {
  return {
    route: 'by-hash-batch',
    path: '/model-versions/by-hash',
    method: 'POST',
    body: [...hashes],
    cacheKind: 'entity',
    parse: (body) => z.array(detailSchema).parse(body),
  };
}
