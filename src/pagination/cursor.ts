/**
 * Opaque Relay cursors: base64url of a small JSON position. Each cursor carries the scope of the
 * connection that issued it (a hash of its filters and sort), so a cursor from one query cannot
 * silently page another. Encoding and decoding live here only; everything else sees a Position.
 */
import { PaginationInputError } from './errors.js';
import { PAGINATION_POLICY } from './policy.js';

/** An item's key, to find it again when offsets may have drifted. */
export type ItemKey = string | number;

/** Where an edge stands in its list. */
export type Position =
  /**
   * An offset in the list: exact for page-numbered upstreams, a counted estimate for items a
   * cursor-paged list found through numbered pages (those carry their key).
   */
  | { readonly kind: 'offset'; readonly offset: number; readonly key?: ItemKey | undefined }
  /**
   * An item read from a cursor-paged upstream response: the upstream cursor that response
   * started from (null: the list start) and the item's index in it; `next` is the upstream
   * cursor that starts right after the item, when it ended its response.
   */
  | {
      readonly kind: 'anchored';
      readonly offset: number;
      readonly anchor: string | null;
      readonly index: number;
      readonly key?: ItemKey | undefined;
      readonly next?: string | undefined;
    };

/**
 * The wire format (version 1), unchanged since the first cursors: `o` offset, `a` anchor and `d`
 * index (both or neither), `n` next upstream cursor (only with an anchor), `i` key.
 */
interface Envelope {
  readonly v: 1;
  readonly s: string;
  readonly o: number;
  readonly a?: string | null;
  readonly d?: number;
  readonly i?: ItemKey;
  readonly n?: string;
}

export function encodeCursor(scope: string, position: Position): string {
  const envelope: Envelope =
    position.kind === 'offset'
      ? { v: 1, s: scope, o: position.offset, i: position.key }
      : { v: 1, s: scope, o: position.offset, a: position.anchor, d: position.index, i: position.key, n: position.next };
  // JSON.stringify leaves out undefined fields.
  return Buffer.from(JSON.stringify(envelope)).toString('base64url');
}

export function decodeCursor(scope: string, cursor: string): Position {
  const invalid = () => new PaginationInputError('The cursor is not valid: pass back a cursor this connection returned.');
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > PAGINATION_POLICY.maxCursorLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
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
  if (value.a === undefined || value.d === undefined) return { kind: 'offset', offset: value.o, key: value.i };
  return { kind: 'anchored', offset: value.o, anchor: value.a, index: value.d, key: value.i, next: value.n };
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
    (e.n === undefined || (typeof e.n === 'string' && e.a !== undefined)) &&
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
