/** `GET /model-versions/:id`: one version with its files, images and a summary of its model. */
import { Fields, isDrift, isRecord, readItems, readRequest, type Drifting, type ReadRequest, type Reading } from './read.js';
import { readVersionBase, type UpstreamVersion } from './shapes.js';

export interface ModelSummary {
  name: Drifting<string | null>;
  type: Drifting<string | null>;
  nsfw: Drifting<boolean | null>;
  poi: Drifting<boolean | null>;
  mode: Drifting<string | null>;
}

export interface UpstreamVersionDetail extends UpstreamVersion {
  model: ModelSummary;
}

// Today `model {name, type, nsfw, poi, mode?}`; the 2022 example had `modelName` instead.
function readDetail(f: Fields): UpstreamVersionDetail | undefined {
  const version = readVersionBase(f);
  const modelId = f.id('modelId');
  if (version === undefined || modelId === undefined) return undefined;
  const model = f.nested('model', (m) => ({ name: m.string('name'), type: m.string('type'), nsfw: m.boolean('nsfw'), poi: m.boolean('poi'), mode: m.string('mode') }));
  const none = { name: null, type: null, nsfw: null, poi: null, mode: null };
  const summary = model === null ? none : isDrift(model) ? { name: model, type: model, nsfw: model, poi: model, mode: model } : model;
  return { ...version, modelId, source: 'detail', model: { ...summary, name: summary.name ?? f.string('modelName') } };
}

/** One version by id or hash: without its ids it answers nothing. */
function readOne(body: unknown, r: Reading): UpstreamVersionDetail {
  const version = isRecord(body) ? readDetail(new Fields(r, body, '')) : undefined;
  if (version === undefined) throw new TypeError('a version without its id');
  return version;
}

export function modelVersionRequest(id: number): ReadRequest<UpstreamVersionDetail> {
  return readRequest({ route: 'model-version', path: `/model-versions/${encodeURIComponent(String(id))}`, cacheKind: 'entity' }, readOne);
}

/** `GET /model-versions/by-hash/:hash`: the version of any file with this hash, of any kind (upper-cased upstream). */
export function versionByHashRequest(hash: string): ReadRequest<UpstreamVersionDetail> {
  return readRequest({ route: 'by-hash', path: `/model-versions/by-hash/${encodeURIComponent(hash)}`, cacheKind: 'entity' }, readOne);
}

/** Most SHA256 hashes one `POST /model-versions/by-hash` may carry (more is a 400). */
export const BY_HASH_BATCH_MAX = 100;

/** A SHA256 hash (64 hex digits). A BLAKE3 hash looks the same, and the batch matches SHA256 only. */
export const looksLikeSha256 = (hash: string): boolean => /^[0-9A-F]{64}$/i.test(hash);

/**
 * `POST /model-versions/by-hash` with up to BY_HASH_BATCH_MAX SHA256 hashes: full versions of the
 * matching files. Unmatched hashes are dropped, the order is not the request's, and a version
 * comes once per matching file, so callers match hashes to versions through the files' hashes.
 */
export function versionsByHashBatchRequest(hashes: readonly string[]): ReadRequest<UpstreamVersionDetail[]> {
  return readRequest(
    { route: 'by-hash-batch', path: '/model-versions/by-hash', method: 'POST', body: [...hashes], cacheKind: 'entity' },
    // Each version read on its own; one without its ids is left out (its hashes then try a GET).
    (body, r) => readItems(r, body, '[]', readDetail),
  );
}
