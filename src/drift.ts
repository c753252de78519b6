/**
 * The Drift marker: what stands in a field whose upstream value could not be read, saying what
 * arrived. Made where Civitai's answers are read (src/upstream/read.ts), turned into a field error
 * by the schema (src/schema/drift.ts). Plain JSON, so cached answers keep it.
 */
/** A value that could not be read, and the JSON type that arrived in its place. */
export interface Drift {
  readonly '~drift': string;
}

/** A field's value, or the marker of what arrived instead. */
export type Drifting<T> = T | Drift;

export function isDrift(value: unknown): value is Drift {
  return typeof value === 'object' && value !== null && '~drift' in value;
}

/** The JSON type of a value, as logs and errors name it. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'absent';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The value for logic that must go on with something: the fallback in place of a drift. */
export const known = <T, F>(value: Drifting<T>, fallback: F): T | F => (isDrift(value) ? fallback : value);

