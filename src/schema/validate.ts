/** Argument checks that run before any upstream call; failures are BAD_USER_INPUT. */
// Not @pothos/plugin-validation: these checks also normalise (dedupe, upper-case hashes) and are called by resolvers and the cost plan alike, with messages naming the argument path; the plugin's zod errors would need remapping per field for no less code.
import { BadUserInputError } from '../errors.js';
import { isCivitaiId, nameProblem } from './global-id.js';
import { UNKNOWN } from './enums.js';

export function civitaiId(name: string, value: number): number {
  if (!isCivitaiId(String(value))) throw new BadUserInputError(`\`${name}\` must be a positive 32-bit integer, got ${value}.`);
  return value;
}

/** A required name (username, tag): non-empty, at most 200 characters, no control characters. */
export function name(argument: string, value: string): string {
  const problem = nameProblem(value);
  if (problem !== null) throw new BadUserInputError(`\`${argument}\` ${problem}.`);
  return value;
}

/** Most base models one list may filter on (a longer list only makes an over-long upstream URL). */
export const MAX_BASE_MODELS = 50;

/** A `baseModels` filter: each a valid name, at most MAX_BASE_MODELS, duplicates dropped; undefined when empty. */
export function baseModelNames(values: readonly string[] | null | undefined): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  if (values.length > MAX_BASE_MODELS) throw new BadUserInputError(`\`baseModels\` can name at most ${MAX_BASE_MODELS} base models.`);
  return [...new Set(values.map((b, i) => name(`baseModels[${i}]`, b)))];
}

/** An optional filter: null or blank means "no filter". */
export function optionalText(argument: string, value: string | null | undefined): string | undefined {
  if (value == null || value.trim() === '') return undefined;
  return name(argument, value);
}

export function types(value: readonly string[] | null | undefined): string[] | undefined {
  if (!value || value.length === 0) return undefined;
  if (value.includes(UNKNOWN)) throw new BadUserInputError('`types` cannot filter on UNKNOWN: name the model types you want.');
  return [...new Set(value)];
}

export function rating(value: number | null | undefined): number | undefined {
  if (value == null) return undefined;
  if (!Number.isFinite(value) || value < 0 || value > 5) throw new BadUserInputError(`\`rating\` must be between 0 and 5, got ${value}.`);
  return value;
}

/**
 * The lengths of Civitai's hash kinds, in hex digits: AutoV1 and CRC32 8, AutoV2 10, AutoV3 12,
 * SHA256 and BLAKE3 64.
 */
const HASH_LENGTHS = new Set([8, 10, 12, 64]);
/** Most hashes one `modelVersionsByHash` field may ask. */
export const MAX_HASHES_PER_FIELD = 1000;

/** A file hash of one of Civitai's kinds, upper-cased (Civitai compares upper case). */
export function fileHash(argument: string, value: string): string {
  const hash = value.trim();
  if (!/^[0-9A-Fa-f]+$/.test(hash) || !HASH_LENGTHS.has(hash.length)) {
    throw new BadUserInputError(
      `\`${argument}\` must be a file hash in hex: AutoV1 or CRC32 (8 digits), AutoV2 (10), AutoV3 (12), SHA256 or BLAKE3 (64); got "${value.slice(0, 80)}".`,
    );
  }
  return hash.toUpperCase();
}

export function fileHashes(argument: string, values: readonly string[]): string[] {
  if (values.length > MAX_HASHES_PER_FIELD) {
    throw new BadUserInputError(`\`${argument}\` may hold at most ${MAX_HASHES_PER_FIELD} hashes, got ${values.length}.`);
  }
  return values.map((value, i) => fileHash(`${argument}[${i}]`, value));
}
