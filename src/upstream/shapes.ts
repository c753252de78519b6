/**
 * Zod schemas for the entities Civitai returns, shared by the resource modules. Each schema
 * accepts every recorded shape (2022 spec, 2024 and 2025 captures, today's handlers) and
 * normalises the quirks once, here, so resolvers never see them. Optional fields stay
 * `undefined` when the upstream did not send them, which is different from `null` (sent as null):
 * a representation that lacks a field is partial, and resolvers load the fuller one.
 */
import { z } from 'zod';
import type { PageAnswer } from '../pagination/offset-window.js';

/** Dates: ISO normally; `publishedAt` has been seen without a zone (UTC) and cursors use
 * 'YYYY-MM-DD HH:MM:SS.mmm' (civitai-api-live.md, "Shapes"). Unparseable dates become null. */
export function normaliseDate(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  let text = value.trim().replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, '$1T$2');
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += 'Z';
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

const date = z.unknown().optional().transform(normaliseDate);
/** A date the representation may omit: undefined = not sent, null = sent empty or invalid. */
const optionalDate = z.unknown().optional().transform((v) => (v === undefined ? undefined : normaliseDate(v)));
const nullableString = z.string().nullish().transform((v) => v ?? null);
const nullableNumber = z.number().nullish().transform((v) => v ?? null);
const nullableBoolean = z.boolean().nullish().transform((v) => v ?? null);
/** Old metadata echoed numbers as strings ("totalItems": "1676"). */
const looseNumber = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const stringList = z
  .array(z.string().nullable())
  .nullish()
  .transform((v) => (v ?? []).filter((s): s is string => typeof s === 'string'));

const json = z.unknown().optional();

export const hashesSchema = z
  .record(z.string(), z.string().nullable())
  .nullish()
  .transform((record) =>
    Object.entries(record ?? {})
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
      .map(([algorithm, hash]) => ({ algorithm, hash })),
  );

export const fileSchema = z
  .object({
    id: z.number().int().nullish(),
    name: nullableString,
    // The 2022 table says sizeKb; every recorded body says sizeKB.
    sizeKB: z.number().nullish(),
    sizeKb: z.number().nullish(),
    type: nullableString,
    // 2022 put `format` on the file; today it lives in metadata.format.
    format: nullableString,
    metadata: z
      .object({ format: nullableString, size: nullableString, fp: nullableString })
      .partial()
      .nullish(),
    pickleScanResult: nullableString,
    pickleScanMessage: nullableString,
    virusScanResult: nullableString,
    virusScanMessage: nullableString,
    scannedAt: date,
    hashes: hashesSchema,
    // `true` or absent on /models, a boolean on /model-versions.
    primary: z.boolean().nullish(),
    downloadUrl: nullableString,
  })
  .transform((f) => ({
    id: f.id ?? null,
    name: f.name,
    sizeKb: f.sizeKB ?? f.sizeKb ?? null,
    type: f.type,
    format: f.metadata?.format ?? f.format,
    fp: f.metadata?.fp ?? null,
    size: f.metadata?.size ?? null,
    pickleScanResult: f.pickleScanResult,
    pickleScanMessage: f.pickleScanMessage,
    virusScanResult: f.virusScanResult,
    virusScanMessage: f.virusScanMessage,
    scannedAt: f.scannedAt ?? null,
    hashes: f.hashes,
    primary: f.primary === true,
    downloadUrl: f.downloadUrl,
  }));
export type UpstreamFile = z.output<typeof fileSchema>;

/** `nsfw` was a boolean (2022), then None/Soft/Mature/X strings; `nsfwLevel` is a bitmask
 * on models and versions (1 PG, 2 PG-13, 4 R, 8 X, 16 XXX) but a string on /images. */
const imageLevelNames: Record<string, number> = { None: 1, Soft: 2, Mature: 4, X: 8, Blocked: 32 };
export const imageSchema = z
  .object({
    id: z.number().int().nullish(),
    url: z.string(),
    width: nullableNumber,
    height: nullableNumber,
    hash: nullableString,
    type: nullableString,
    nsfw: z.union([z.boolean(), z.string()]).nullish(),
    nsfwLevel: z.union([z.number(), z.string()]).nullish(),
    meta: json,
  })
  .transform((i) => {
    const level =
      typeof i.nsfwLevel === 'number'
        ? i.nsfwLevel
        : typeof i.nsfwLevel === 'string'
          ? (imageLevelNames[i.nsfwLevel] ?? null)
          : typeof i.nsfw === 'string'
            ? (imageLevelNames[i.nsfw] ?? null)
            : null;
    const nsfw =
      typeof i.nsfw === 'boolean' ? i.nsfw : level !== null ? level > 1 : typeof i.nsfw === 'string' ? i.nsfw !== 'None' : false;
    return {
      id: i.id ?? null,
      url: i.url,
      width: i.width,
      height: i.height,
      hash: i.hash,
      type: i.type,
      nsfwLevel: level,
      nsfw,
      // undefined: this representation drops meta (lists); null: the upstream said none.
      meta: i.meta === undefined ? undefined : (i.meta ?? null),
    };
  });
export type UpstreamImage = z.output<typeof imageSchema>;

const versionStatsSchema = z
  .object({
    downloadCount: nullableNumber,
    thumbsUpCount: nullableNumber,
    thumbsDownCount: nullableNumber,
    ratingCount: nullableNumber,
    rating: nullableNumber,
  })
  .partial()
  .nullish()
  .transform((s) =>
    s
      ? {
          downloadCount: s.downloadCount ?? null,
          thumbsUpCount: s.thumbsUpCount ?? null,
          thumbsDownCount: s.thumbsDownCount ?? null,
          ratingCount: s.ratingCount ?? null,
          rating: s.rating ?? null,
        }
      : null,
  );

/** Which representation a version came from: it decides what an absent field means. */
export type VersionSource = 'list' | 'model' | 'detail';

/** The parts of a version every route shares. `/models/:id` deletes empty keys per version,
 * so missing arrays are normalised to [] (civitai-api-live.md, "Shapes"). */
export const versionBaseSchema = z.object({
  id: z.number().int(),
  modelId: z.number().int().nullish(),
  name: z.string().nullish().transform((v) => v ?? ''),
  index: z.number().int().nullish().transform((v) => v ?? null),
  description: nullableString.optional(),
  createdAt: optionalDate,
  updatedAt: optionalDate,
  publishedAt: optionalDate,
  status: nullableString.optional(),
  availability: nullableString,
  baseModel: nullableString,
  baseModelType: nullableString,
  nsfwLevel: z.number().nullish().transform((v) => v ?? null),
  air: nullableString,
  trainedWords: stringList,
  stats: versionStatsSchema,
  files: z.array(fileSchema).nullish().transform((v) => v ?? []),
  images: z.array(imageSchema).nullish().transform((v) => v ?? []),
  downloadUrl: nullableString,
  /** Only while an early-access window is active (list versions). */
  earlyAccessDeadline: nullableString.optional(),
});
export type UpstreamVersionBase = z.output<typeof versionBaseSchema>;

export interface UpstreamVersion extends Omit<UpstreamVersionBase, 'modelId'> {
  modelId: number;
  source: VersionSource;
}

const modelStatsSchema = z
  .object({
    downloadCount: nullableNumber,
    favoriteCount: nullableNumber,
    thumbsUpCount: nullableNumber,
    thumbsDownCount: nullableNumber,
    commentCount: nullableNumber,
    ratingCount: nullableNumber,
    rating: nullableNumber,
    tippedAmountCount: nullableNumber,
  })
  .partial()
  .nullish()
  .transform((s) =>
    s
      ? {
          downloadCount: s.downloadCount ?? null,
          favoriteCount: s.favoriteCount ?? null,
          thumbsUpCount: s.thumbsUpCount ?? null,
          thumbsDownCount: s.thumbsDownCount ?? null,
          commentCount: s.commentCount ?? null,
          ratingCount: s.ratingCount ?? null,
          rating: s.rating ?? null,
          tippedAmountCount: s.tippedAmountCount ?? null,
        }
      : null,
  );

/** allowCommercialUse: a string in 2023 ("Sell"), an array since 2024, and a Postgres array
 * literal ("{Image,RentCivit}") in the docs. */
const commercialUse = z
  .union([z.array(z.string()), z.string()])
  .nullish()
  .transform((v) => {
    if (v == null) return [];
    if (Array.isArray(v)) return v;
    const inner = v.replace(/^\{|\}$/g, '');
    return inner === '' ? [] : inner.split(',').map((s) => s.trim());
  });

export const modelSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: nullableString,
    type: z.string(),
    nsfw: z.boolean().nullish().transform((v) => v ?? false),
    nsfwLevel: nullableNumber,
    poi: nullableBoolean,
    minor: nullableBoolean,
    mode: nullableString,
    availability: nullableString,
    allowNoCredit: nullableBoolean,
    allowDerivatives: nullableBoolean,
    allowDifferentLicense: nullableBoolean,
    allowCommercialUse: commercialUse,
    supportsGeneration: nullableBoolean,
    /** Distinct base models of its versions (live lists since 2026, before any narrowing); absent elsewhere. */
    baseModels: z.array(z.string()).nullish().transform((v) => v ?? undefined),
    stats: modelStatsSchema,
    // Absent for models owned by the system user or a deleted user.
    creator: z
      .object({ username: z.string().nullish(), image: nullableString })
      .nullish()
      .transform((c) => (c?.username ? { username: c.username, image: c.image } : null)),
    tags: stringList,
    modelVersions: z.array(versionBaseSchema).nullish().transform((v) => v ?? []),
  });
export type UpstreamModelRaw = z.output<typeof modelSchema>;

export interface UpstreamModel extends Omit<UpstreamModelRaw, 'modelVersions'> {
  modelVersions: UpstreamVersion[];
}

/** Attach the parent id and the representation to every version of a model. */
export function withVersionSource(model: UpstreamModelRaw, source: VersionSource): UpstreamModel {
  return {
    ...model,
    modelVersions: model.modelVersions.map((v) => ({ ...v, modelId: model.id, source })),
  };
}

/** Page metadata of every list route. Absent keys stay absent; `nextCursor` may be a number. */
export const metadataSchema = z
  .object({
    nextCursor: z.union([z.string(), z.number()]).nullish(),
    nextPage: nullableString,
    prevPage: nullableString,
    currentPage: looseNumber.nullish(),
    pageSize: looseNumber.nullish(),
    totalItems: looseNumber.nullish(),
    totalPages: looseNumber.nullish(),
    hasMore: z.boolean().nullish(),
  })
  .partial()
  .nullish()
  .transform((m) => ({
    nextCursor: m?.nextCursor == null || m.nextCursor === '' ? undefined : String(m.nextCursor),
    nextPage: m?.nextPage ?? undefined,
    prevPage: m?.prevPage ?? undefined,
    currentPage: m?.currentPage ?? undefined,
    pageSize: m?.pageSize ?? undefined,
    totalItems: m?.totalItems ?? undefined,
    totalPages: m?.totalPages ?? undefined,
    hasMore: m?.hasMore ?? undefined,
  }));
export type PageMetadata = z.output<typeof metadataSchema>;

/**
 * A page's total, only when it is consistent with the page: the live /tags always says
 * totalItems 0 / totalPages 1, and /creators with `query` gives lower bounds (`hasMore`).
 */
export function trustedTotal(metadata: PageMetadata, page: number, limit: number, received: number): number | null {
  const { totalItems, totalPages, hasMore } = metadata;
  if (totalItems === undefined || hasMore !== undefined) return null;
  if (totalItems < (page - 1) * limit + received) return null;
  if (totalPages !== undefined && totalPages !== Math.ceil(totalItems / limit) && !(totalItems === 0 && totalPages <= 1)) return null;
  return totalItems;
}

/** A numbered page (/creators, /tags) as pagination reads it: its items and a total to trust. */
export function numberedPageAnswer<T>(answer: { items: T[]; metadata: PageMetadata }, params: { page: number; limit: number }): PageAnswer<T> {
  return { items: answer.items, total: trustedTotal(answer.metadata, params.page, params.limit, answer.items.length) };
}
