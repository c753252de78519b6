import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorMessageOf } from '../../src/upstream/stages/read.js';
import { creatorListRequest } from '../../src/upstream/creators.js';
import { imageListRequest } from '../../src/upstream/images.js';
import { modelVersionRequest } from '../../src/upstream/model-versions.js';
import { modelListRequest, modelRequest } from '../../src/upstream/models.js';
import { tagListRequest } from '../../src/upstream/tags.js';
import { isDrift, Reading, type Drifting, type ReadRequest } from '../../src/upstream/read.js';

/** A value read without drift (a recorded body must read whole). */
function whole<T>(value: Drifting<T>): T {
  if (isDrift(value)) throw new Error(`drift: ${value['~drift']}`);
  return value;
}

const dir = process.env.CIVITAI_SAMPLES_DIR ?? join(import.meta.dirname, '../../../shared/civitai-samples');
const read = (name: string): unknown => JSON.parse(readFileSync(join(dir, name), 'utf8'));

/** Which parser each recorded body belongs to, by file name. */
function parserFor(name: string): ((body: unknown) => unknown) | undefined {
  if (name.includes('error')) return (body) => errorMessageOf(body) ?? (() => { throw new Error('no message'); })();
  const strict = (request: ReadRequest<unknown>) => (body: unknown) => {
    const r = new Reading();
    const value = request.read(body, r);
    if (r.drift.size || r.leftOut) throw new Error(`drift in a recorded body: ${JSON.stringify([...r.drift])}, ${r.leftOut} left out`);
    return value;
  };
  if (name.includes('models-page')) return strict(modelListRequest({ limit: 1 }));
  if (name.includes('model-version')) return strict(modelVersionRequest(1));
  if (name.includes('model')) return strict(modelRequest(1));
  if (name.includes('creators-page')) return strict(creatorListRequest({ limit: 1, page: 1 }));
  if (name.includes('tags-page')) return strict(tagListRequest({ limit: 1, page: 1 }));
  if (name.includes('images-page')) return strict(imageListRequest({ limit: 1, withMeta: true }));
  return undefined;
}

describe('recorded Civitai responses', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('when the samples folder is read, then it holds every kind of recorded body', () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
  });

  it.each(files)('when %s is read, then every field of it reads without drift', (name) => {
    const parse = parserFor(name);
    expect(parse, `no parser for ${name}`).toBeDefined();
    expect(() => parse?.(read(name))).not.toThrow();
  });

  it('when the 2024 models page is parsed, then its quirks are normalised', () => {
    const page = modelListRequest({ limit: 1 }).parse(read('live-models-page.json'));
    const version = whole(page.items[0]!.modelVersions)[0];
    // publishedAt had no time zone: read as UTC.
    expect(version?.publishedAt).toBe('2023-10-05T13:31:16.745Z');
    expect(version?.createdAt).toBeUndefined();
    expect(whole(version!.files)[0]).toMatchObject({ sizeKb: 2082642.474609375, format: 'SafeTensor', fp: 'fp16', primary: true });
    expect(page.metadata).toEqual({
      nextCursor: '22138|364671|25494',
      nextPage: 'https://api.civitai.com/api/v1/models?limit=10&page=1&sort=Highest%20Rated&types=Checkpoint&cursor=22138%7C364671%7C25494',
      prevPage: undefined,
      currentPage: 1,
      pageSize: 10,
      totalItems: undefined,
      totalPages: undefined,
      hasMore: undefined,
    });
  });

  it('when a /models/:id body drops empty keys, then versions still have lists and images have no id', () => {
    const model = modelRequest(1).parse(read('live-model.json'));
    const versions = whole(model.modelVersions);
    expect(versions.every((v) => Array.isArray(v.trainedWords))).toBe(true);
    expect(versions.every((v) => v.source === 'model')).toBe(true);
    expect(whole(versions[0]!.images)[0]?.id).toBeNull();
    expect(versions[0]?.createdAt).toBe('2025-07-14T23:41:24.964Z');
  });

  it('when the 2022 version example is parsed, then modelName becomes the model summary and sizeKB the size', () => {
    const version = modelVersionRequest(1318).parse(read('model-version-2022.json'));
    expect(version.model).toEqual({ name: 'froggy style', type: null, nsfw: null, poi: null, mode: null });
    expect(whole(version.files)[0]).toMatchObject({ sizeKb: 2546414.971679688, format: 'PickleTensor', primary: false });
    expect(whole(version.images)[0]).toMatchObject({ nsfw: false, meta: null, nsfwLevel: null });
  });

  it('when creators and tags pages are parsed, then a missing modelCount reads as 0 for creators and null for tags', () => {
    expect(creatorListRequest({ limit: 1, page: 1 }).parse({ items: [{ username: 'a', link: 'x' }], metadata: {} }).items).toEqual([
      { username: 'a', modelCount: 0, image: null },
    ]);
    expect(tagListRequest({ limit: 1, page: 1 }).parse(read('live-tags-page.docs-example.json')).items).toEqual([
      { name: 'character', modelCount: null },
    ]);
    expect(tagListRequest({ limit: 1, page: 1 }).parse(read('tags-page-2022.json')).items[2]).toEqual({ name: 'style', modelCount: 91 });
  });

  it('when error bodies of every shape are read, then each yields a short message', () => {
    expect(errorMessageOf(read('live-error-404.docs-example.json'))).toBe('No model with id 0');
    expect(errorMessageOf(read('live-error-500.json'))).toBe('An unexpected error occurred');
    expect(errorMessageOf(read('live-error-400.json'))).toBe('Invalid parameters');
    expect(errorMessageOf([{ code: 'too_big' }])).toBe('Invalid parameters');
    expect(errorMessageOf({ message: 'User not found' })).toBe('User not found');
  });

  it('when the images page is parsed, then the level name reads as the bitmask, meta stays as sent and the cursor is a string', () => {
    const page = imageListRequest({ limit: 1, withMeta: true }).parse(read('live-images-page.docs-example.json'));
    expect(page.items[0]).toMatchObject({
      id: 9173928,
      nsfwLevel: 2,
      nsfw: true,
      createdAt: '2025-04-17T21:28:57.225Z',
      username: 'Ajuro',
      modelVersionIds: [9208, 249861, 258687, 332071, 345685],
      stats: { likeCount: 21692, heartCount: 8044, commentCount: 58 },
    });
    expect(page.items[0]?.meta).toMatchObject({ seed: 1938345220, sampler: 'DPM++ 2M' });
    expect(page.metadata.nextCursor).toBe('1|1744925337225');
  });

  it('when an images item comes from the legacy path, then wrapped meta is unwrapped, a number cursor is a string, and without withMeta meta is unknown', () => {
    const body = {
      items: [
        { id: 5, url: 'u', nsfwLevel: 'X', browsingLevel: 16, meta: { id: 5, meta: { prompt: 'p' } } },
        { id: 4, url: 'v', nsfwLevel: 'Mature', meta: { id: 4, meta: null } },
        { id: 3, url: 'w', nsfwLevel: 'None', meta: null },
      ],
      metadata: { nextCursor: 2 },
    };
    const page = imageListRequest({ limit: 3, withMeta: true }).parse(body);
    expect(page.items.map((i) => [i.nsfwLevel, i.nsfw, i.meta])).toEqual([
      [16, true, { prompt: 'p' }],
      [4, true, null],
      [1, false, null],
    ]);
    expect(page.metadata.nextCursor).toBe('2');
    expect(imageListRequest({ limit: 3, withMeta: false }).parse(body).items.map((i) => i.meta)).toEqual([undefined, undefined, undefined]);
  });
});
