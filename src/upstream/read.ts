/**
 * Reading what Civitai sends, tolerantly, field by field: the one place for the coercions of
 * drift nobody can misread (numeric strings, "true"/"false", `{name}` where a name was, one string
 * where a list of strings was; unknown fields are never looked at) and for what cannot be read. A
 * value that cannot be read is kept as a `Drift` marker saying what arrived: the field's resolver
 * turns it into an error at its own path (src/schema/drift.ts), nothing else degrades. Markers are
 * plain JSON, so a cached answer (local or shared) keeps them. Each read notes its drift per field
 * pattern (`items[].stats.downloadCount`), for the metrics and logs.
 */
import type { UpstreamRequest } from './transport.js';

import { isDrift, jsonType, type Drift, type Drifting } from '../drift.js';

export { isDrift, known, type Drift, type Drifting } from '../drift.js';

/** Longest upstream cursor carried inside our signed cursors; a longer one is drift. */
export const MAX_UPSTREAM_CURSOR_LENGTH = 512;

/** What one body's reading found: field pattern → the type that arrived. */
export class Reading {
  readonly drift = new Map<string, string>();
  /** Items of a list left out for lacking their identity. */
  leftOut = 0;

  /** Notes a value that cannot be read at `at.key` and returns its marker. */
  mark(at: string, key: string, value: unknown): Drift {
    const arrived = jsonType(value);
    this.drift.set(at ? `${at}.${key}` : key, arrived);
    return { '~drift': arrived };
  }
}

type Raw = Record<string, unknown>;
const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const INT_MAX = 2 ** 31 - 1;

export function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Readers of one field of `raw` at pattern `at`: each answers the value, null when it is null or
 * absent, or a Drift marker. Strings are built only when something drifted.
 */
export class Fields {
  constructor(
    readonly r: Reading,
    readonly raw: Raw,
    readonly at: string,
  ) {}

  number(key: string): Drifting<number | null> {
    const v = this.raw[key];
    if (typeof v === 'number') return Number.isFinite(v) ? v : this.r.mark(this.at, key, v);
    if (v === null || v === undefined) return null;
    if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
    return this.r.mark(this.at, key, v);
  }

  /** A GraphQL Int: a whole number of 32 bits. */
  int(key: string): Drifting<number | null> {
    const v = this.number(key);
    if (typeof v === 'number' && (!Number.isInteger(v) || Math.abs(v) > INT_MAX)) return this.r.mark(this.at, key, v);
    return v;
  }

  string(key: string): Drifting<string | null> {
    const v = this.raw[key];
    if (typeof v === 'string') return v;
    if (v === null || v === undefined) return null;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (isRecord(v) && typeof v.name === 'string') return v.name;
    return this.r.mark(this.at, key, v);
  }

  /** A string the entity cannot be without: absent is drift too. */
  requiredString(key: string): Drifting<string> {
    const v = this.string(key);
    return v === null ? this.r.mark(this.at, key, this.raw[key]) : v;
  }

  boolean(key: string): Drifting<boolean | null> {
    const v = this.raw[key];
    if (typeof v === 'boolean') return v;
    if (v === null || v === undefined) return null;
    if (v === 'true' || v === 'false') return v === 'true';
    return this.r.mark(this.at, key, v);
  }

  /** Strings; `{name}` objects read as their names, one string as a list of one, null entries dropped. */
  strings(key: string): Drifting<string[]> {
    const v = this.raw[key];
    if (v === null || v === undefined) return [];
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v)) return this.r.mark(this.at, key, v);
    const out: string[] = [];
    for (const s of v) {
      if (typeof s === 'string') out.push(s);
      else if (typeof s === 'number') out.push(String(s));
      else if (isRecord(s) && typeof s.name === 'string') out.push(s.name);
      else if (s !== null) return this.r.mark(this.at, key, v);
    }
    return out;
  }

  /** A nested object (null when null or absent). */
  object(key: string): Drifting<Raw | null> {
    const v = this.raw[key];
    if (isRecord(v)) return v;
    if (v === null || v === undefined) return null;
    return this.r.mark(this.at, key, v);
  }

  /**
   * A list of objects, each read on its own by `read` (an entry that is not an object drifts the
   * list); entries `read` answers undefined for (no identity) are left out, noted as drift.
   */
  list<T>(key: string, read: (fields: Fields) => T | undefined): Drifting<T[]> {
    const v = this.raw[key];
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) return this.r.mark(this.at, key, v);
    const at = this.at ? `${this.at}.${key}[]` : `${key}[]`;
    const out: T[] = [];
    for (const entry of v) {
      if (!isRecord(entry)) return this.r.mark(this.at, key, v);
      const value = read(new Fields(this.r, entry, at));
      if (value === undefined) this.r.mark(at, 'id', entry.id);
      else out.push(value);
    }
    return out;
  }

  /** Fields of a nested object, or its drift; null when null or absent. */
  nested<T>(key: string, read: (fields: Fields) => T): Drifting<T | null> {
    const v = this.object(key);
    if (v === null || isDrift(v)) return v;
    return read(new Fields(this.r, v, this.at ? `${this.at}.${key}` : key));
  }

  /** An identity: a positive whole number, else undefined (the item is left out). */
  id(key = 'id'): number | undefined {
    const v = this.number(key);
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  }
}

/** A request whose answer is read tolerantly: `read` notes its drift in a Reading; `parse` reads without keeping notes. */
export interface ReadRequest<T> extends UpstreamRequest<T> {
  read(body: unknown, r: Reading): T;
}

export function readRequest<T>(request: Omit<UpstreamRequest<T>, 'parse'>, read: (body: unknown, r: Reading) => T): ReadRequest<T> {
  return { ...request, read, parse: (body) => read(body, new Reading()) };
}

/** Each item of a page read on its own; items without identity (`read` answers undefined) are left out and counted. */
export function readItems<T>(r: Reading, items: unknown, at: string, read: (fields: Fields) => T | undefined): T[] {
  if (!Array.isArray(items)) throw new TypeError('a page without items');
  const out: T[] = [];
  for (const item of items) {
    const value = isRecord(item) ? read(new Fields(r, item, at)) : undefined;
    if (value === undefined) r.leftOut++;
    else out.push(value);
  }
  if (out.length < items.length) r.drift.set(`${at}.id`, 'absent');
  return out;
}
