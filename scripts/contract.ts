/**
 * Early warning of Civitai drift: reads a fixed handful of endpoints of CIVITAI_API_URL (with
 * CIVITAI_API_KEY when set) through the same readers the server uses, and prints the drift found
 * per route and field. Exit 0: every field read as expected; 1: drift; 2: an endpoint failed.
 *   CIVITAI_API_URL=https://civitai.com/api/v1 npm run contract
 */
import { Reading, type ReadRequest } from '../src/upstream/read.js';
import { creatorListRequest } from '../src/upstream/creators.js';
import { imageListRequest } from '../src/upstream/images.js';
import { modelVersionRequest, versionByHashRequest, versionsByHashBatchRequest } from '../src/upstream/model-versions.js';
import { modelListRequest, modelRequest } from '../src/upstream/models.js';
import { tagListRequest } from '../src/upstream/tags.js';
import { createUpstreamCache } from '../src/cache/index.js';
import { createUpstreamCall } from '../src/upstream/call.js';
import { credentialFor } from '../src/upstream/transport.js';

const baseUrl = (process.env.CIVITAI_API_URL ?? 'https://civitai.com/api/v1').replace(/\/+$/, '');
const credential = credentialFor(process.env.CIVITAI_API_KEY || undefined);
// The server's own call pipeline, without a cache: every endpoint is read fresh.
const pipeline = createUpstreamCall({
  baseUrl,
  timeoutMs: 20_000,
  retry: { maxAttempts: 2, baseDelayMs: 500, maxTotalWaitMs: 5_000 },
  cache: createUpstreamCache({ maxBytes: 0, staleMs: 0, ttlMs: { list: 0, entity: 0, notFound: 0 } }),
});
const scope = { credential, cost: { calls: 0, retries: 0, cacheHits: 0, staleHits: 0, inflightShares: 0 } };

const found: Array<{ route: string; field: string; arrived: string }> = [];
let failed = 0;

/** One endpoint read through its reader; its drift noted; undefined when it failed. */
async function check<T>(label: string, request: ReadRequest<T>): Promise<T | undefined> {
  const reading = new Reading();
  try {
    const { value } = await pipeline.request({ ...request, parse: (body: unknown) => request.read(body, reading) }, scope);
    if (value === null) throw new Error('404 Not Found');
    for (const [field, arrived] of reading.drift) found.push({ route: label, field, arrived });
    console.log(`${reading.drift.size ? 'DRIFT' : 'ok   '} ${label}${reading.drift.size ? ` (${reading.drift.size} field${reading.drift.size > 1 ? 's' : ''})` : ''}`);
    return value;
  } catch (error) {
    failed++;
    console.log(`FAIL  ${label}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

const page = await check('models', modelListRequest({ limit: 5, nsfw: true }));
const model = page?.items[0];
if (model) await check('model', modelRequest(model.id));
const version = model && Array.isArray(model.modelVersions) ? model.modelVersions[0] : undefined;
if (version) await check('model-version', modelVersionRequest(version.id));
const files = version && Array.isArray(version.files) ? version.files : [];
const sha = files.flatMap((f) => (Array.isArray(f.hashes) ? f.hashes : [])).find((h) => h.algorithm.toUpperCase() === 'SHA256')?.hash;
if (sha) {
  await check('by-hash', versionByHashRequest(sha));
  await check('by-hash-batch', versionsByHashBatchRequest([sha.toUpperCase()]));
}
await check('images', imageListRequest({ limit: 5, withMeta: true, nsfw: 'X' }));
await check('creators', creatorListRequest({ limit: 5, page: 1 }));
await check('tags', tagListRequest({ limit: 5, page: 1 }));

for (const { route, field, arrived } of found) console.log(`  ${route}  ${field}  (${arrived} arrived)`);
console.log(found.length ? `${found.length} drifted field(s) at ${baseUrl}` : `no drift at ${baseUrl}`);
process.exit(failed ? 2 : found.length ? 1 : 0);
