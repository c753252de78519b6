/**
 * Opaque Relay cursors: base64url of a small JSON position. Each cursor carries the scope of the
 * connection that issued it (a hash of its filters and sort), so a cursor from one query cannot
 * silently page another.
 */
import { PaginationInputError } from './errors.js';

/**
 * Where an edge stands in its list.
 * - `o`: its offset in the list (exact for page-based upstreams, an estimate for cursor mode).
 * - `a`: the upstream cursor of the response it came from (null: the list start), and
 *   `d` its index in that response; absent for offset-only positions.
 * - `n`: the upstream cursor that starts right after it, when it ended a response.
 * - `i`: the item's key, to find it again when offsets may have drifted.
 */
export interface Position {
  readonly o: number;
  readonly a?: string | null;
  readonly d?: number;
  readonly n?: string;
  readonly i?: string | number;
}

interface Envelope extends Position {
  readonly v: 1;
  readonly s: string;
}

const MAX_CURSOR_LENGTH = 2048;

export function encodeCursor(scope: string, position: Position): string {
  const envelope: Envelope = { v: 1, s: scope, ...position };
  return Buffer.from(JSON.stringify(envelope)).toString('base64url');
}

export function decodeCursor(scope: string, cursor: string): Position {
  const invalid = () => new PaginationInputError('The cursor is not valid: pass back a cursor this connection returned.');
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalid();
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!isEnvelope(value)) throw invalid();
  if (value.s !== scope) {
    throw new PaginationInputError('The cursor belongs to a different query (other filters or sort): start again without it.');
  }
  const { v: _v, s: _s, ...position } = value;
  return position;
}

function isEnvelope(value: unknown): value is Envelope {
  if (!value || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  const isCount = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  return (
    e.v === 1 &&
    typeof e.s === 'string' &&
    isCount(e.o) &&
    (e.a === undefined || e.a === null || typeof e.a === 'string') &&
    (e.d === undefined || isCount(e.d)) &&
    (e.a === undefined) === (e.d === undefined) &&
    (e.n === undefined || typeof e.n === 'string') &&
    (e.i === undefined || typeof e.i === 'string' || typeof e.i === 'number')
  );
}

/** A short stable hash (FNV-1a, 32 bit) naming a connection's filters and sort. */
export function scopeOf(parts: ReadonlyArray<unknown>): string {
  const text = JSON.stringify(parts);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}
