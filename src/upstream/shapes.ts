/**
 * The entities Civitai returns, read field by field (src/upstream/read.ts) by the resource
 * modules. Each reader accepts every recorded shape (2022 spec, 2024 and 2025 captures, today's
 * handlers) and normalises the quirks once, here, so resolvers never see them; a value that cannot
 * be read is a `Drift` marker in its field, never a failed page. Optional fields stay `undefined`
 * when the upstream did not send them, which is different from `null` (sent as null): a
 * representation that lacks a field is partial, and resolvers load the fuller one.
 */
import type { PageAnswer } from '../pagination/offset-window.js';
import { Fields, isDrift, isRecord, MAX_UPSTREAM_CURSOR_LENGTH, type Drift, type Drifting, type Reading } from './read.js';

/** Dates: ISO normally; `publishedAt` has been seen without a zone (UTC) and cursors use
 * 'YYYY-MM-DD HH:MM:SS.mmm' (civitai-api-live.md, "Shapes"). Unparseable dates become null. */
export function normaliseDate(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  let text = value.trim().replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, '$1T$2');
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += 'Z';
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** A date: null when null, absent or empty; a value that is no date is drift. */
export function readDate(f: Fields, key: string): Drifting<string | null> {
  const v = f.raw[key];
  if (v === null || v === undefined || v === '') return null;
  return normaliseDate(v) ?? f.r.mark(f.at, key, v);
}

/** A date the representation may omit: undefined = not sent. */
const optionalDate = (f: Fields, key: string) => (f.raw[key] === undefined ? undefined : readDate(f, key));
const optionalString = (f: Fields, key: string) => (f.raw[key] === undefined ? undefined : f.string(key));

export interface FileHash {
  algorithm: string;
  hash: string;
}

/** `{algorithm: hash}`; entries without a hash are dropped. */
export function readHashes(f: Fields, key: string): Drifting<FileHash[]> {
  const record = f.object(key);
  if (record === null) return [];
  if (isDrift(record)) return record;
  const out: FileHash[] = [];
  for (const [algorithm, hash] of Object.entries(record)) if (typeof hash === 'string' && hash !== '') out.push({ algorithm, hash });
  return out;
}

export interface UpstreamFile {
  id: Drifting<number | null>;
  name: Drifting<string | null>;
  sizeKb: Drifting<number | null>;
  type: Drifting<string | null>;
  format: Drifting<string | null>;
  fp: Drifting<string | null>;
  size: Drifting<string | null>;
  pickleScanResult: Drifting<string | null>;
  pickleScanMessage: Drifting<string | null>;
  virusScanResult: Drifting<string | null>;
  virusScanMessage: Drifting<string | null>;
  scannedAt: Drifting<string | null>;
  hashes: Drifting<FileHash[]>;
  primary: Drifting<boolean>;
  downloadUrl: Drifting<string | null>;
}

export function readFile(f: Fields): UpstreamFile {
  const metadata = f.nested('metadata', (m) => ({ format: m.string('format'), size: m.string('size'), fp: m.string('fp') }));
  const meta = isDrift(metadata) ? { format: metadata, size: metadata, fp: metadata } : metadata;
  // The 2022 table says sizeKb; every recorded body says sizeKB.
  const sizeKB = f.number('sizeKB');
  const primary = f.boolean('primary');
  return {
    id: f.int('id'),
    name: f.string('name'),
    sizeKb: sizeKB === null ? f.number('sizeKb') : sizeKB,
    type: f.string('type'),
    // 2022 put `format` on the file; today it lives in metadata.format.
    format: meta?.format ?? f.string('format'),
    fp: meta?.fp ?? null,
    size: meta?.size ?? null,
    pickleScanResult: f.string('pickleScanResult'),
    pickleScanMessage: f.string('pickleScanMessage'),
    virusScanResult: f.string('virusScanResult'),
    virusScanMessage: f.string('virusScanMessage'),
    scannedAt: readDate(f, 'scannedAt'),
    hashes: readHashes(f, 'hashes'),
    // `true` or absent on /models, a boolean on /model-versions.
    primary: isDrift(primary) ? primary : primary === true,
    downloadUrl: f.string('downloadUrl'),
  };
}

/** `nsfw` was a boolean (2022), then None/Soft/Mature/X strings; `nsfwLevel` is a bitmask
 * on models and versions (1 PG, 2 PG-13, 4 R, 8 X, 16 XXX) but a string on /images. */
export const LEVEL_OF_NAME: Readonly<Record<string, number>> = { None: 1, Soft: 2, Mature: 4, X: 8, Blocked: 32 };

/** A level: the bitmask, or a level name read as it. */
export function readLevel(f: Fields, key: string): Drifting<number | null> {
  const v = f.raw[key];
  if (typeof v === 'string' && Object.hasOwn(LEVEL_OF_NAME, v)) return LEVEL_OF_NAME[v] as number;
  return f.int(key);
}

/** Whether an image is NSFW: its own boolean, else from its level (or a level name in `nsfw`). */
export function readImageNsfw(f: Fields, level: Drifting<number | null>): { level: Drifting<number | null>; nsfw: Drifting<boolean> } {
  const raw = f.raw.nsfw;
  if (typeof raw === 'string' && Object.hasOwn(LEVEL_OF_NAME, raw)) {
    const named = LEVEL_OF_NAME[raw] as number;
    const at = level === null ? named : level;
    return { level: at, nsfw: isDrift(at) ? at : raw !== 'None' && at > 1 };
  }
  const own = f.boolean('nsfw');
  if (own !== null) return { level, nsfw: own };
  return { level, nsfw: isDrift(level) ? level : level !== null && level > 1 };
}

/** Generation parameters: an object or null; anything else is drift. */
export function readMeta(f: Fields, key = 'meta'): Drifting<Record<string, unknown> | null> | undefined {
  if (f.raw[key] === undefined) return undefined;
  return f.object(key);
}

export interface UpstreamImage {
  id: Drifting<number | null>;
  url: Drifting<string>;
  width: Drifting<number | null>;
  height: Drifting<number | null>;
  hash: Drifting<string | null>;
  type: Drifting<string | null>;
  nsfwLevel: Drifting<number | null>;
  nsfw: Drifting<boolean>;
  /** undefined: this representation drops meta (lists); null: the upstream said none. */
  meta: Drifting<Record<string, unknown> | null> | undefined;
}

export function readImage(f: Fields): UpstreamImage {
  const { level, nsfw } = readImageNsfw(f, readLevel(f, 'nsfwLevel'));
  return {
    id: f.int('id'),
    url: f.requiredString('url'),
    width: f.int('width'),
    height: f.int('height'),
    hash: f.string('hash'),
    type: f.string('type'),
    nsfwLevel: level,
    nsfw,
    meta: readMeta(f),
  };
}

export interface VersionStats {
  downloadCount: Drifting<number | null>;
  thumbsUpCount: Drifting<number | null>;
  thumbsDownCount: Drifting<number | null>;
  ratingCount: Drifting<number | null>;
  rating: Drifting<number | null>;
}

const readVersionStats = (s: Fields): VersionStats => ({
  downloadCount: s.int('downloadCount'),
  thumbsUpCount: s.int('thumbsUpCount'),
  thumbsDownCount: s.int('thumbsDownCount'),
  ratingCount: s.int('ratingCount'),
  rating: s.number('rating'),
});

/** Which representation a version came from: it decides what an absent field means. */
export type VersionSource = 'list' | 'model' | 'detail';

/** The parts of a version every route shares. `/models/:id` deletes empty keys per version,
 * so missing arrays are normalised to [] (civitai-api-live.md, "Shapes"). */
export interface UpstreamVersionBase {
  id: number;
  name: Drifting<string>;
  index: Drifting<number | null>;
  description?: Drifting<string | null> | undefined;
  createdAt?: Drifting<string | null> | undefined;
  updatedAt?: Drifting<string | null> | undefined;
  publishedAt?: Drifting<string | null> | undefined;
  status?: Drifting<string | null> | undefined;
  availability: Drifting<string | null>;
  baseModel: Drifting<string | null>;
  baseModelType: Drifting<string | null>;
  nsfwLevel: Drifting<number | null>;
  air: Drifting<string | null>;
  trainedWords: Drifting<string[]>;
  stats: Drifting<VersionStats | null>;
  files: Drifting<UpstreamFile[]>;
  images: Drifting<UpstreamImage[]>;
  downloadUrl: Drifting<string | null>;
  /** Only while an early-access window is active (list versions). */
  earlyAccessDeadline?: Drifting<string | null> | undefined;
}

/** A version, or undefined without its id (it is then left out of its list). */
export function readVersionBase(f: Fields): UpstreamVersionBase | undefined {
  const id = f.id();
  if (id === undefined) return undefined;
  const name = f.string('name');
  return {
    id,
    name: name ?? '',
    index: f.int('index'),
    description: optionalString(f, 'description'),
    createdAt: optionalDate(f, 'createdAt'),
    updatedAt: optionalDate(f, 'updatedAt'),
    publishedAt: optionalDate(f, 'publishedAt'),
    status: optionalString(f, 'status'),
    availability: f.string('availability'),
    baseModel: f.string('baseModel'),
    baseModelType: f.string('baseModelType'),
    nsfwLevel: f.int('nsfwLevel'),
    air: f.string('air'),
    trainedWords: f.strings('trainedWords'),
    stats: f.nested('stats', readVersionStats),
    files: f.list('files', readFile),
    images: f.list('images', readImage),
    downloadUrl: f.string('downloadUrl'),
    earlyAccessDeadline: optionalString(f, 'earlyAccessDeadline'),
  };
}

export interface UpstreamVersion extends UpstreamVersionBase {
  modelId: number;
  source: VersionSource;
}

export interface ModelStats {
  downloadCount: Drifting<number | null>;
  favoriteCount: Drifting<number | null>;
  thumbsUpCount: Drifting<number | null>;
  thumbsDownCount: Drifting<number | null>;
  commentCount: Drifting<number | null>;
  ratingCount: Drifting<number | null>;
  rating: Drifting<number | null>;
  tippedAmountCount: Drifting<number | null>;
}

const readModelStats = (s: Fields): ModelStats => ({
  downloadCount: s.int('downloadCount'),
  favoriteCount: s.int('favoriteCount'),
  thumbsUpCount: s.int('thumbsUpCount'),
  thumbsDownCount: s.int('thumbsDownCount'),
  commentCount: s.int('commentCount'),
  ratingCount: s.int('ratingCount'),
  rating: s.number('rating'),
  tippedAmountCount: s.int('tippedAmountCount'),
});

/** allowCommercialUse: a string in 2023 ("Sell"), an array since 2024, and a Postgres array
 * literal ("{Image,RentCivit}") in the docs. */
function readCommercialUse(f: Fields): Drifting<string[]> {
  const v = f.raw.allowCommercialUse;
  if (typeof v !== 'string') return f.strings('allowCommercialUse');
  const inner = v.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((s) => s.trim());
}

export interface ModelCreator {
  username: string;
  image: Drifting<string | null>;
}

// Absent for models owned by the system user or a deleted user.
function readCreator(c: Fields): ModelCreator | null {
  const username = c.string('username');
  return typeof username === 'string' && username !== '' ? { username, image: c.string('image') } : null;
}

export interface UpstreamModel {
  id: number;
  name: Drifting<string>;
  description: Drifting<string | null>;
  type: Drifting<string>;
  nsfw: Drifting<boolean>;
  nsfwLevel: Drifting<number | null>;
  poi: Drifting<boolean | null>;
  minor: Drifting<boolean | null>;
  mode: Drifting<string | null>;
  availability: Drifting<string | null>;
  allowNoCredit: Drifting<boolean | null>;
  allowDerivatives: Drifting<boolean | null>;
  allowDifferentLicense: Drifting<boolean | null>;
  allowCommercialUse: Drifting<string[]>;
  supportsGeneration: Drifting<boolean | null>;
  /** Distinct base models of its versions (live lists since 2026, before any narrowing); absent elsewhere. */
  baseModels: Drifting<string[]> | undefined;
  stats: Drifting<ModelStats | null>;
  creator: Drifting<ModelCreator | null>;
  tags: Drifting<string[]>;
  modelVersions: Drifting<UpstreamVersion[]>;
}

/** A model as `source` represents it, or undefined without its id (left out of its page). */
export function readModel(f: Fields, source: VersionSource): UpstreamModel | undefined {
  const id = f.id();
  if (id === undefined) return undefined;
  const nsfw = f.boolean('nsfw');
  const versions = f.list('modelVersions', readVersionBase);
  return {
    id,
    name: f.requiredString('name'),
    description: f.string('description'),
    type: f.requiredString('type'),
    nsfw: nsfw ?? false,
    nsfwLevel: f.int('nsfwLevel'),
    poi: f.boolean('poi'),
    minor: f.boolean('minor'),
    mode: f.string('mode'),
    availability: f.string('availability'),
    allowNoCredit: f.boolean('allowNoCredit'),
    allowDerivatives: f.boolean('allowDerivatives'),
    allowDifferentLicense: f.boolean('allowDifferentLicense'),
    allowCommercialUse: readCommercialUse(f),
    supportsGeneration: f.boolean('supportsGeneration'),
    baseModels: f.raw.baseModels == null ? undefined : f.strings('baseModels'),
    stats: f.nested('stats', readModelStats),
    creator: f.nested('creator', readCreator),
    tags: f.strings('tags'),
    modelVersions: isDrift(versions) ? versions : versions.flatMap((v) => (v ? [{ ...v, modelId: id, source }] : [])),
  };
}

/** Page metadata of every list route. Absent keys stay absent; `nextCursor` may be a number. */
export interface PageMetadata {
  nextCursor: string | undefined;
  nextPage: string | undefined;
  prevPage: string | undefined;
  currentPage: number | undefined;
  pageSize: number | undefined;
  totalItems: number | undefined;
  totalPages: number | undefined;
  hasMore: boolean | undefined;
}

/** What is not read stays undefined (noted as drift): metadata steers paging, never a field. */
const defined = <T>(v: Drifting<T | null>): T | undefined => (v === null || isDrift(v) ? undefined : v);

/** The next cursor, carried as Civitai sent it: any non-empty string (or number) within the bound. */
function readNextCursor(m: Fields): string | undefined {
  const v = m.raw.nextCursor;
  if (v === null || v === undefined || v === '') return undefined;
  const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
  // Bounded as it will travel in our cursor: JSON-escaped.
  if (typeof text === 'string' && JSON.stringify(text).length <= MAX_UPSTREAM_CURSOR_LENGTH + 2) return text;
  m.r.mark(m.at, 'nextCursor', v);
  return undefined;
}

export function readMetadata(r: Reading, raw: unknown): PageMetadata {
  const m = new Fields(r, isRecord(raw) ? raw : {}, 'metadata');
  return {
    nextCursor: readNextCursor(m),
    nextPage: defined(m.string('nextPage')),
    prevPage: defined(m.string('prevPage')),
    currentPage: defined(m.number('currentPage')),
    pageSize: defined(m.number('pageSize')),
    totalItems: defined(m.number('totalItems')),
    totalPages: defined(m.number('totalPages')),
    hasMore: defined(m.boolean('hasMore')),
  };
}

/** The body of a list route: an object with an `items` array (anything else is no page at all). */
export function pageBody(body: unknown): { items: unknown[]; metadata: unknown } {
  if (!isRecord(body) || !Array.isArray(body.items)) throw new TypeError('not a page');
  return { items: body.items, metadata: body.metadata };
}

/**
 * A page's total, only when it is consistent with the page: the live /tags always says
 * totalItems 0 / totalPages 1, and /creators with `query` gives lower bounds (`hasMore`).
 */
export function trustedTotal(metadata: PageMetadata, page: number, limit: number, received: number): number | null {
  const { totalItems, totalPages, hasMore } = metadata;
  if (totalItems === undefined || hasMore !== undefined) return null;
  if (totalItems < (page - 1) * limit + received) return null;
  if (totalPages !== undefined && totalPages !== Math.ceil(totalItems / limit) && !(totalItems === 0 && totalPages <= 1)) return null;
  return totalItems;
}

/** A numbered page (/creators, /tags) as pagination reads it: its items and a total to trust. */
export function numberedPageAnswer<T>(answer: { items: T[]; metadata: PageMetadata; leftOut?: number }, params: { page: number; limit: number }): PageAnswer<T> {
  // Items left out still count toward the total the upstream reports.
  const received = answer.items.length + (answer.leftOut ?? 0);
  return { items: answer.items, total: trustedTotal(answer.metadata, params.page, params.limit, received), leftOut: answer.leftOut ?? 0 };
}

export type { Drift, Drifting };
