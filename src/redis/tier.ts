/**
 * The shared, second cache tier: an async key-value store in Redis that every replica reads and
 * writes. It sits under the in-process LRU, for upstream answers and for whole results:
 *
 *   local LRU hit        → answer (no Redis call)
 *   local miss, tier hit → answer, and fill the local LRU for the entry's remaining TTL (`entry`)
 *   both miss            → upstream (in-flight sharing as today), then set local and `tier.set`
 *
 * src/cache/shared.ts plugs it in (`sharedCacheTier`, `createResultCache`) with the cache's own
 * keys (credential fingerprint included) and the local entry's TTL. Values are serialised by the
 * caller (a JSON string or a Buffer); the tier gives back the same type it was given.
 *
 * The tier never throws and never makes a caller wait longer than `REDIS_TIMEOUT_MS`
 * (see connection.ts): down, slow or full means a miss on read and a no-op on write. Values over
 * `compressAboveBytes` are brotli-compressed; values over `maxValueBytes` once compressed are not
 * stored; keys longer than `MAX_PLAIN_KEY` are hashed, so the namespace stays bounded under
 * `REDIS_PREFIX` + "t:".
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants as zlib } from 'node:zlib';
import type { RedisConnection } from './connection.js';

export type TierValue = Buffer | string;
export type TierOutcome = 'hit' | 'miss' | 'error';

export interface TierEntry {
  value: TierValue;
  /** What is left of the TTL it was stored with, so a replica never extends an answer's life. */
  ttlMs: number;
}

export interface SharedTier {
  get(key: string): Promise<TierValue | undefined>;
  entry(key: string): Promise<TierEntry | undefined>;
  /** Fire and forget is fine: it resolves when stored, skipped or failed, and never rejects. */
  set(key: string, value: TierValue, ttlMs: number): Promise<void>;
}

export interface RedisTierOptions {
  compressAboveBytes?: number;
  maxValueBytes?: number;
  /** Called once per `get`; feeds the cache metrics of the `redis` tier. */
  onLookup?: (outcome: TierOutcome) => void;
}

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);

/** Header byte of a stored value: bit 0 = it was a Buffer (else a UTF-8 string), bit 1 = brotli. */
const BUFFER = 1;
const BROTLI = 2;
export const MAX_PLAIN_KEY = 200;
const NAMESPACE = 't:';

export function tierKey(key: string): string {
  return NAMESPACE + (key.length <= MAX_PLAIN_KEY ? key : `h:${createHash('sha256').update(key).digest('base64url')}`);
}

export async function encodeValue(value: TierValue, compressAboveBytes: number): Promise<Buffer> {
  const isBuffer = Buffer.isBuffer(value);
  const raw = isBuffer ? value : Buffer.from(value, 'utf8');
  if (raw.length > compressAboveBytes) {
    const packed = await compress(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 4, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } });
    if (packed.length < raw.length) return Buffer.concat([Buffer.of((isBuffer ? BUFFER : 0) | BROTLI), packed]);
  }
  return Buffer.concat([Buffer.of(isBuffer ? BUFFER : 0), raw]);
}

export async function decodeValue(stored: Buffer): Promise<TierValue | undefined> {
  const flags = stored[0];
  if (flags === undefined || flags > (BUFFER | BROTLI)) return undefined;
  const body = stored.subarray(1);
  const raw = flags & BROTLI ? await decompress(body) : body;
  return flags & BUFFER ? Buffer.from(raw) : raw.toString('utf8');
}

export function createRedisTier(connection: RedisConnection, options: RedisTierOptions = {}): SharedTier {
  const compressAboveBytes = options.compressAboveBytes ?? 1024;
  const maxValueBytes = options.maxValueBytes ?? 1024 * 1024;
  const report = options.onLookup ?? (() => {});
  const entry = async (key: string): Promise<TierEntry | undefined> => {
    const stored = await connection.attempt(async (redis) => {
      const k = tierKey(key);
      const replies = await redis.pipeline().getBuffer(k).pttl(k).exec();
      const [[getError, value] = [], [ttlError, ttl] = []] = replies ?? [];
      if (!replies || getError || ttlError) throw new Error('redis pipeline failed');
      return { value: value as Buffer | null, ttlMs: Number(ttl) };
    });
    if (!stored) {
      report('error');
      return undefined;
    }
    const value = stored.value && stored.ttlMs > 0 ? await decodeValue(stored.value).catch(() => undefined) : undefined;
    report(value === undefined ? 'miss' : 'hit');
    return value === undefined ? undefined : { value, ttlMs: stored.ttlMs };
  };
  return {
    entry,
    get: async (key) => (await entry(key))?.value,
    async set(key, value, ttlMs) {
      if (!(ttlMs >= 1) || connection.state() === 'down') return;
      try {
        const encoded = await encodeValue(value, compressAboveBytes);
        if (encoded.length > maxValueBytes) return;
        await connection.attempt((redis) => redis.set(tierKey(key), encoded, 'PX', Math.ceil(ttlMs)), 'write');
      } catch {
        // compression cannot fail on a Buffer or string; the tier never fails its caller anyway
      }
    },
  };
}
