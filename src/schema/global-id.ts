/**
 * Global IDs are base64 of "Type:key". Decoding validates the type and the key before any
 * loading, with the same checks as the arguments that take those keys (`validate.ts`), so a
 * malformed ID is a BAD_USER_INPUT error, never an upstream call.
 */
import { BadUserInputError } from '../errors.js';

const NODE_TYPES = new Set(['Model', 'ModelVersion', 'Creator', 'Tag', 'Image']);
const NUMERIC_TYPES = new Set(['Model', 'ModelVersion', 'Image']);
/** The types keyed by a name, and what their argument calls it. */
const NAMED_TYPES: ReadonlyMap<string, string> = new Map([
  ['Creator', 'username'],
  ['Tag', 'name'],
]);
const MAX_ID_LENGTH = 512;
const MAX_NAME_LENGTH = 200;
const MAX_SHOWN = 64;

export function encodeNodeId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

export function decodeNodeId(globalId: string): { typename: string; id: string } {
  const invalid = (why = '') => new BadUserInputError(`"${shown(String(globalId))}" is not a valid global ID${why}.`);
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > MAX_ID_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(globalId)) {
    throw invalid();
  }
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const typename = decoded.slice(0, colon);
  const id = decoded.slice(colon + 1);
  if (colon < 1 || !NODE_TYPES.has(typename) || id.length === 0) throw invalid();
  if (NUMERIC_TYPES.has(typename) && !isCivitaiId(id)) throw invalid();
  const key = NAMED_TYPES.get(typename);
  const problem = key === undefined ? null : nameProblem(id);
  if (problem !== null) throw invalid(`: a ${typename}'s ${key} ${problem}`);
  return { typename, id };
}

/** Civitai ids are positive 32-bit integers. */
export function isCivitaiId(text: string): boolean {
  if (!/^[1-9]\d{0,9}$/.test(text)) return false;
  return Number(text) <= 2_147_483_647;
}

/**
 * Why a name (a username, a tag) cannot be one, or null when it can: not blank, at most 200
 * characters, no control characters. Arguments and global IDs both check names with it.
 */
export function nameProblem(value: string): string | null {
  if (value.trim() === '') return 'must not be empty';
  if (value.length > MAX_NAME_LENGTH) return `can be at most ${MAX_NAME_LENGTH} characters`;
  if (/\p{Cc}/u.test(value)) return 'must not contain control characters';
  return null;
}

/**
 * Client text as a message may quote it: cut to 64 characters, with control, format (bidi,
 * zero-width) and line-separator characters written as \u escapes, so an error message never
 * carries them to a terminal or a log.
 */
function shown(text: string): string {
  return text
    .slice(0, MAX_SHOWN)
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => {
      const code = c.codePointAt(0)!.toString(16);
      return code.length > 4 ? `\\u{${code}}` : `\\u${code.padStart(4, '0')}`;
    });
}

/** The typename of a global ID that did not decode (no type can be named so). */
const MALFORMED = '\u0000malformed';

/**
 * The relay plugin's decoder: never throws, so one malformed ID in `nodes(ids:)` fails only its
 * own item. A malformed ID decodes to a marker that `malformedIdError` turns back into the
 * BAD_USER_INPUT error (the resolvers of `node` and `nodes` do, before any loading). A new
 * `t.arg.globalID` argument receives the marker too: its resolver must call `malformedIdError`.
 */
export function decodeNodeIdOrMark(globalId: string): { typename: string; id: string } {
  try {
    return decodeNodeId(globalId);
  } catch (error) {
    if (error instanceof BadUserInputError) return { typename: MALFORMED, id: error.message };
    throw error;
  }
}

/** The BAD_USER_INPUT error of a marked ID, or null for one that decoded. */
export function malformedIdError(decoded: { typename: string; id: string } | null | undefined): BadUserInputError | null {
  return decoded?.typename === MALFORMED ? new BadUserInputError(decoded.id) : null;
}
