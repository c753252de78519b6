/**
 * Opaque Relay cursors, signed: `<payload>.<mac>`, the base64url of a small JSON position and a
 * truncated HMAC-SHA256 over it and over the exact scope of the connection that issued it (its
 * filters and sort). A cursor that was altered, made up, signed with another secret or issued for
 * another scope is refused before any upstream call (STYLE habit 14). The secret is passed in
 * (`createCursorCodec`), so this module stays pure; encoding and decoding live here only, and
 * everything else sees a Position.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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
 * The payload (version 2): `s` the first characters of the scope (only to tell a cursor of
 * another query from a forged one in the message; the MAC binds the whole scope), `o` offset,
 * `a` anchor and `d` index (both or neither), `n` next upstream cursor (only with an anchor),
 * `i` key. Version 1 (unsigned) is refused like any unsigned cursor.
 */
interface Envelope {
  readonly v: 2;
  readonly s: string;
  readonly o: number;
  readonly a?: string | null;
  readonly d?: number;
  readonly i?: ItemKey;
  readonly n?: string;
}

/** Bytes of HMAC-SHA256 kept in a cursor: 128 bits, 22 base64url characters. */
export const CURSOR_MAC_BYTES = 16;
const MAC_CHARS = Math.ceil((CURSOR_MAC_BYTES * 4) / 3);
const SCOPE_TAG_CHARS = 4;
/** Secrets shorter than this are refused (config asks for 32+ characters). */
export const MIN_CURSOR_SECRET_BYTES = 32;
const DOMAIN = 'civitai-graphql cursor v2';
const WIRE = new RegExp(`^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{${MAC_CHARS}}$`);

/** The cursors of one connection scope. */
export interface ScopedCursors {
  readonly scope: string;
  encode(position: Position): string;
  /** The position a cursor of this scope names; PaginationInputError for anything else. */
  decode(cursor: string): Position;
}

export interface CursorCodec {
  scoped(scope: string): ScopedCursors;
}

/**
 * Signs and verifies cursors with `secret` (32+ bytes): one codec per server; replicas that
 * share the secret accept each other's cursors.
 */
export function createCursorCodec(secret: string | Uint8Array): CursorCodec {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (key.length < MIN_CURSOR_SECRET_BYTES) throw new RangeError(`a cursor secret needs at least ${MIN_CURSOR_SECRET_BYTES} bytes`);
  const mac = (scope: string, payload: string) =>
    createHmac('sha256', key).update(`${DOMAIN}\0${scope}\0${payload}`).digest().subarray(0, CURSOR_MAC_BYTES);

  return {
    scoped(scope) {
      return {
        scope,
        encode(position) {
          const envelope: Envelope =
            position.kind === 'offset'
              ? { v: 2, s: scope.slice(0, SCOPE_TAG_CHARS), o: position.offset, i: position.key }
              : {
                  v: 2,
                  s: scope.slice(0, SCOPE_TAG_CHARS),
                  o: position.offset,
                  a: position.anchor,
                  d: position.index,
                  i: position.key,
                  n: position.next,
                };
          // JSON.stringify leaves out undefined fields.
          const payload = Buffer.from(JSON.stringify(envelope)).toString('base64url');
          return `${payload}.${mac(scope, payload).toString('base64url')}`;
        },
        decode(cursor) {
          const invalid = () =>
            new PaginationInputError('The cursor is not valid: pass back a cursor this connection returned (cursors of a restarted server may expire).');
          if (typeof cursor !== 'string' || cursor.length > PAGINATION_POLICY.maxCursorLength || !WIRE.test(cursor)) throw invalid();
          const [payload = '', signature = ''] = cursor.split('.');
          const given = Buffer.from(signature, 'base64url');
          const value = parse(payload);
          if (given.length !== CURSOR_MAC_BYTES || !timingSafeEqual(given, mac(scope, payload))) {
            // Only the message depends on the unverified payload: which mistake it most likely is.
            if (isEnvelope(value) && value.s !== scope.slice(0, SCOPE_TAG_CHARS)) {
              throw new PaginationInputError('The cursor belongs to a different query (other filters or sort): start again without it.');
            }
            throw invalid();
          }
          // Signed by us for this scope: a failing shape or range now means a bug, still refused.
          if (!isEnvelope(value)) throw invalid();
          if (value.a === undefined || value.d === undefined) return { kind: 'offset', offset: value.o, key: value.i };
          return { kind: 'anchored', offset: value.o, anchor: value.a, index: value.d, key: value.i, next: value.n };
        },
      };
    },
  };
}

function parse(payload: string): unknown {
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isEnvelope(value: unknown): value is Envelope {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  const isCount = (x: unknown, max: number) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max;
  const { maxOffset, maxIndex } = PAGINATION_POLICY;
  // Civitai's tokens, carried as they came: bounded where they are read (src/upstream/read.ts) and by the cursor's own length.
  const isUpstreamCursor = (x: unknown) => typeof x === 'string' && x.length > 0;
  return (
    e.v === 2 &&
    typeof e.s === 'string' &&
    isCount(e.o, maxOffset) &&
    (e.a === undefined || e.a === null || isUpstreamCursor(e.a)) &&
    (e.d === undefined || isCount(e.d, maxIndex)) &&
    (e.a === undefined) === (e.d === undefined) &&
    (e.n === undefined || (isUpstreamCursor(e.n) && e.a !== undefined)) &&
    (e.i === undefined || typeof e.i === 'string' || (typeof e.i === 'number' && Number.isSafeInteger(e.i)))
  );
}

/**
 * The exact scope of a connection (its list and every filter and sort), as a 128-bit hash: the
 * MAC binds it, so a cursor cannot be moved to another query even by finding a collision of a
 * short hash.
 */
export function scopeOf(parts: ReadonlyArray<unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest().subarray(0, 16).toString('base64url');
}
