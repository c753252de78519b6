/**
 * Enums shared by several type files. Civitai adds enum values without notice, so every output
 * enum has an UNKNOWN member: an upstream value we do not know is reported as UNKNOWN (with the
 * raw string in a sibling field) instead of failing the query.
 */
import { NotFoundError } from '../errors.js';
import { builder } from './builder.js';

/** The internal value of every UNKNOWN member; never sent upstream. */
export const UNKNOWN = '__UNKNOWN__' as const;

const modelTypes = {
  CHECKPOINT: ['Checkpoint', 'A full Stable Diffusion checkpoint.'],
  TEXTUAL_INVERSION: ['TextualInversion', 'A textual inversion embedding.'],
  HYPERNETWORK: ['Hypernetwork', 'A hypernetwork.'],
  AESTHETIC_GRADIENT: ['AestheticGradient', 'An aesthetic gradient.'],
  LORA: ['LORA', 'A LoRA adapter.'],
  LOCON: ['LoCon', 'A LyCORIS / LoCon adapter.'],
  DORA: ['DoRA', 'A DoRA adapter.'],
  CONTROLNET: ['Controlnet', 'A ControlNet model.'],
  UPSCALER: ['Upscaler', 'An upscaler.'],
  MOTION_MODULE: ['MotionModule', 'A motion module for video generation.'],
  VAE: ['VAE', 'A VAE.'],
  TEXT_ENCODER: ['TextEncoder', 'A text encoder.'],
  UNET: ['UNet', 'A UNet.'],
  CLIP_VISION: ['CLIPVision', 'A CLIP vision encoder.'],
  CLIP: ['CLIP', 'A CLIP model.'],
  POSES: ['Poses', 'A pose collection.'],
  WILDCARDS: ['Wildcards', 'Wildcard prompt lists.'],
  WORKFLOWS: ['Workflows', 'Generation workflows.'],
  COMFY_WORKFLOWS: ['ComfyWorkflows', 'ComfyUI workflows.'],
  DETECTION: ['Detection', 'A detection model.'],
  VISION_LANGUAGE: ['VisionLanguage', 'A vision-language model.'],
  LLM: ['LLM', 'A large language model.'],
  OTHER: ['Other', 'Civitai\u2019s own catch-all type.'],
} as const;

const KNOWN_MODEL_TYPES = new Set<string>(Object.values(modelTypes).map(([value]) => value));

export const ModelTypeEnum = builder.enumType('ModelType', {
  description: 'The kind of a model. New kinds appear upstream over time; they read as UNKNOWN until this API learns them (see `Model.typeName`).',
  values: {
    ...Object.fromEntries(Object.entries(modelTypes).map(([name, [value, description]]) => [name, { value, description }])),
    UNKNOWN: { value: UNKNOWN, description: 'A kind this API does not know yet; `Model.typeName` has Civitai\u2019s name for it. Not accepted as a filter.' },
  } as Record<string, { value: string; description: string }>,
});

export function modelTypeOf(raw: string): string {
  return KNOWN_MODEL_TYPES.has(raw) ? raw : UNKNOWN;
}

export const ModelSortEnum = builder.enumType('ModelSort', {
  description: 'The order of a model list.',
  values: {
    HIGHEST_RATED: {
      value: 'Highest Rated',
      description: 'Most thumbs-up first, then most downloaded (Civitai\u2019s default; ratings are gone, so this is the order of MOST_LIKED).',
    },
    MOST_DOWNLOADED: { value: 'Most Downloaded', description: 'Most downloaded first.' },
    MOST_LIKED: { value: 'Most Liked', description: 'Most thumbs-up first.' },
    MOST_DISCUSSED: { value: 'Most Discussed', description: 'Most commented first.' },
    MOST_COLLECTED: { value: 'Most Collected', description: 'Most collected first.' },
    MOST_IMAGES: { value: 'Most Images', description: 'Most images first.' },
    NEWEST: { value: 'Newest', description: 'Most recently published version first.' },
    OLDEST: { value: 'Oldest', description: 'Oldest first.' },
  } as const,
});

export const PeriodEnum = builder.enumType('Period', {
  description: 'The time window a sort is computed over.',
  values: {
    ALL_TIME: { value: 'AllTime', description: 'All time (default).' },
    YEAR: { value: 'Year', description: 'The last year.' },
    MONTH: { value: 'Month', description: 'The last month.' },
    WEEK: { value: 'Week', description: 'The last week.' },
    DAY: { value: 'Day', description: 'The last day.' },
  } as const,
});

const scanResults = ['Pending', 'Success', 'Danger', 'Error'] as const;

export const ScanResultEnum = builder.enumType('ScanResult', {
  description: 'The outcome of a pickle or virus scan of a file.',
  values: {
    PENDING: { value: 'Pending', description: 'Not scanned yet.' },
    SUCCESS: { value: 'Success', description: 'Scanned, nothing found.' },
    DANGER: { value: 'Danger', description: 'Scanned, something dangerous found.' },
    ERROR: { value: 'Error', description: 'The scan failed.' },
    UNKNOWN: { value: UNKNOWN, description: 'A result this API does not know yet.' },
  } as const,
});

type ScanResult = (typeof scanResults)[number] | typeof UNKNOWN;

export function scanResultOf(raw: string | null): ScanResult | null {
  if (raw === null) return null;
  return (scanResults as readonly string[]).includes(raw) ? (raw as ScanResult) : UNKNOWN;
}

/**
 * Node loaders answer null for a missing node and an Error for a failed one; a null becomes a
 * NotFoundError named by `describe(index)`. graphql-js turns an Error value into an error on that
 * field or list item, with null data, which is exactly the NOT_FOUND contract of `node` and `nodes`.
 */
export function nodesOrErrors<T>(results: ReadonlyArray<T | null | Error>, describe: (index: number) => string): T[] {
  return results.map((result, k) => result ?? new NotFoundError(describe(k))) as T[];
}

export const ImageSortEnum = builder.enumType('ImageSort', {
  description:
    'The order of an images feed. On a feed by model alone (`Model.images`, or `images(modelId:)` without `modelVersionId`) Civitai ignores the engagement sorts and lists newest first; only OLDEST changes that.',
  values: {
    MOST_REACTIONS: { value: 'Most Reactions', description: 'Most reactions (likes, hearts, laughs, cries) first (Civitai\u2019s default).' },
    MOST_COMMENTS: { value: 'Most Comments', description: 'Most commented first.' },
    MOST_COLLECTED: { value: 'Most Collected', description: 'Most collected first.' },
    NEWEST: { value: 'Newest', description: 'Newest first.' },
    OLDEST: { value: 'Oldest', description: 'Oldest first.' },
  } as const,
});

export const ImageNsfwEnum = builder.enumType('ImageNsfw', {
  description: 'The content levels an images feed includes; each level includes the ones below it. Without it, PG only.',
  values: {
    NONE: { value: 'None', description: 'PG only (the default).' },
    SOFT: { value: 'Soft', description: 'PG and PG-13.' },
    MATURE: { value: 'Mature', description: 'PG up to R.' },
    X: { value: 'X', description: 'Every level: PG up to XXX.' },
  } as const,
});

const mediaTypes = ['image', 'video', 'audio'] as const;

export const MediaTypeEnum = builder.enumType('MediaType', {
  description: 'What kind of media an image of the feed is. New kinds read as UNKNOWN.',
  values: {
    IMAGE: { value: 'image', description: 'A still image.' },
    VIDEO: { value: 'video', description: 'A video.' },
    AUDIO: { value: 'audio', description: 'An audio clip.' },
    UNKNOWN: { value: UNKNOWN, description: 'A kind this API does not know yet. Not accepted as a filter.' },
  } as const,
});

export function mediaTypeOf(raw: string | null): (typeof mediaTypes)[number] | typeof UNKNOWN | null {
  if (raw === null) return null;
  return (mediaTypes as readonly string[]).includes(raw) ? (raw as (typeof mediaTypes)[number]) : UNKNOWN;
}

export const CheckpointTypeEnum = builder.enumType('CheckpointType', {
  description: 'How a checkpoint was made.',
  values: {
    TRAINED: { value: 'Trained', description: 'Trained (or fine-tuned) on data.' },
    MERGE: { value: 'Merge', description: 'Merged from other checkpoints.' },
  } as const,
});

export const CommercialUseEnum = builder.enumType('CommercialUse', {
  description: 'A commercial use a model\u2019s licence may allow, as Civitai names it.',
  values: {
    NONE: { value: 'None', description: 'Listed by licences that allow no commercial use (some such licences list nothing instead).' },
    IMAGE: { value: 'Image', description: 'Selling generated images.' },
    RENT_CIVIT: { value: 'RentCivit', description: 'Running it on Civitai\u2019s generation service.' },
    RENT: { value: 'Rent', description: 'Running it on other generation services.' },
    SELL: { value: 'Sell', description: 'Selling the model or merges of it.' },
  } as const,
});
