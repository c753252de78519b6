/**
 * Global IDs are base64 of "Type:key". Decoding validates the type and the key before any
 * loading, so a malformed ID is a BAD_USER_INPUT error, never an upstream call.
 */
import { BadUserInputError } from '../errors.js';

const NODE_TYPES = new Set(['Model', 'ModelVersion', 'Creator', 'Tag']);
const NUMERIC_TYPES = new Set(['Model', 'ModelVersion']);
const MAX_ID_LENGTH = 512;

export function encodeNodeId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

export function decodeNodeId(globalId: string): { typename: string; id: string } {
  const invalid = () => new BadUserInputError(`"${globalId.slice(0, 64)}" is not a valid global ID.`);
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > MAX_ID_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(globalId)) {
    throw invalid();
  }
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const typename = decoded.slice(0, colon);
  const id = decoded.slice(colon + 1);
  if (colon < 1 || !NODE_TYPES.has(typename) || id.length === 0) throw invalid();
  if (NUMERIC_TYPES.has(typename) && !isCivitaiId(id)) throw invalid();
  return { typename, id };
}

/** Civitai ids are positive 32-bit integers. */
export function isCivitaiId(text: string): boolean {
  if (!/^[1-9]\d{0,9}$/.test(text)) return false;
  return Number(text) <= 2_147_483_647;
}
