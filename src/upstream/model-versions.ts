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
