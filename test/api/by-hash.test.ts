import { describe, expect } from 'vitest';
import { VersionByHashDocument, VersionsByHashDocument } from '../../generated/graphql.js';
import type { DbFile, DbModel, DbVersion, FixtureUpstream } from '../../fixture/index.js';
import { estimateUpstreamCalls } from '../../src/plugins/query-cost.js';
import { schema } from '../../src/schema/index.js';
import { codes } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

// No cross-request cache: every lookup is served by its own upstream calls.
test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0' } } });

type Located = { model: DbModel; version: DbVersion; file: DbFile };

/** Files every by-hash lookup sees, whose hashes of every kind belong to this one file. */
function plainFiles(f: FixtureUpstream): Located[] {
  return f.catalogue.models.flatMap((model) =>
    model.status === 'Published' && !model.ownerOnly && !model.mode && !model.poi && model.id >= 2_000
      ? model.versions.flatMap((version) =>
          version.files.some((file) => file.primary)
            ? version.files
                .filter((file) => Object.values(file.hashes).every((h) => f.catalogue.filesByHash.get(h as string)?.length === 1))
                .map((file) => ({ model, version, file }))
            : [],
        )
      : [],
  );
}

const KINDS = ['AutoV1', 'AutoV2', 'AutoV3', 'SHA256', 'CRC32', 'BLAKE3'] as const;

describe('Query.modelVersionByHash', () => {
  test.for(KINDS)('when a %s hash is asked in lower case, then its version comes back', async (kind, { stack }) => {
    const target = plainFiles(stack.fixture).find(({ file }) => file.hashes[kind]);
    expect(target).toBeDefined();
    const hash = (target?.file.hashes[kind] as string).toLowerCase();
    const result = await stack.client.execute(VersionByHashDocument, { hash });
    expect(result.errors).toBeUndefined();
    expect(result.data?.modelVersionByHash?.civitaiId).toBe(target?.version.id);
    const file = result.data?.modelVersionByHash?.files.find((f) => f.civitaiId === target?.file.id);
    // Every kind the file has is kept.
    expect(Object.fromEntries(file?.hashes.map((h) => [h.algorithm, h.hash]) ?? [])).toEqual(target?.file.hashes);
    // SHA256 goes through the batch POST; every other kind is one GET (BLAKE3, 64 digits too, after the batch missed it).
    const expected = { SHA256: [['by-hash-batch', 'POST']], BLAKE3: [['by-hash-batch', 'POST'], ['by-hash', 'GET']] } as Record<string, string[][]>;
    expect(stack.fixture.log.map((e) => [e.route, e.method])).toEqual(expected[kind] ?? [['by-hash', 'GET']]);
  });

  test('when no file has the hash, then null with NOT_FOUND; a 64-digit one is tried as SHA256, then as any kind', async ({ stack }) => {
    const short = await stack.client.execute(VersionByHashDocument, { hash: 'deadbeef00' });
    expect(short.data?.modelVersionByHash).toBeNull();
    expect(codes(short)).toEqual(['NOT_FOUND']);
    stack.fixture.resetLog();
    const long = await stack.client.execute(VersionByHashDocument, { hash: 'ab'.repeat(32) });
    expect(long.data?.modelVersionByHash).toBeNull();
    expect(codes(long)).toEqual(['NOT_FOUND']);
    expect(stack.fixture.log.map((e) => e.route)).toEqual(['by-hash-batch', 'by-hash']);
  });

  test('when a BLAKE3 hash is asked, then the batch misses it and one GET finds it', async ({ stack }) => {
    const target = plainFiles(stack.fixture).find(({ file }) => file.hashes.BLAKE3) as Located;
    const result = await stack.client.execute(VersionByHashDocument, { hash: target.file.hashes.BLAKE3 as string });
    expect(result.data?.modelVersionByHash?.civitaiId).toBe(target.version.id);
    expect(stack.fixture.log.map((e) => e.route)).toEqual(['by-hash-batch', 'by-hash']);
  });

  test.for(['xyz', '12345', 'a'.repeat(63), 'g'.repeat(64), ''])('when the hash is "%s", then BAD_USER_INPUT before any call', async (hash, { stack }) => {
    const result = await stack.client.execute(VersionByHashDocument, { hash });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.log).toEqual([]);
  });

  test('when several fields ask by hash in one request, then their SHA256 hashes share one POST', async ({ stack }) => {
    const files = plainFiles(stack.fixture).filter(({ file }) => file.hashes.SHA256).slice(0, 3);
    const query = `{ ${files.map((f, i) => `v${i}: modelVersionByHash(hash: "${f.file.hashes.SHA256}") { civitaiId }`).join(' ')} }`;
    const result = await stack.client.execute<Record<string, { civitaiId: number }>, never>(query);
    expect(result.errors).toBeUndefined();
    expect(files.map((_, i) => result.data?.[`v${i}`]?.civitaiId)).toEqual(files.map((f) => f.version.id));
    expect(stack.fixture.log.map((e) => e.route)).toEqual(['by-hash-batch']);
  });

  test('when a file was uploaded again to a later version, then both paths answer the earliest published version', async ({ stack }) => {
    const shared = [...stack.fixture.catalogue.filesByHash.entries()].find(
      ([hash, list]) =>
        hash.length === 64 &&
        list.every(({ file }) => file.hashes.SHA256 === hash) &&
        new Set(list.map((l) => l.version.id)).size > 1 &&
        list.every(({ model }) => model.status === 'Published' && !model.ownerOnly && !model.poi && !model.mode),
    );
    expect(shared).toBeDefined();
    const [hash, list] = shared as [string, Located[]];
    const earliest = [...list].sort((a, b) => Date.parse(a.version.publishedAt ?? '') - Date.parse(b.version.publishedAt ?? '') || a.version.id - b.version.id)[0];
    const byGet = await stack.client.execute(VersionByHashDocument, { hash: (list[0]?.file.hashes.AutoV2 as string) ?? hash });
    const byPost = await stack.client.execute(VersionByHashDocument, { hash });
    expect(byPost.data?.modelVersionByHash?.civitaiId).toBe(earliest?.version.id);
    expect(byGet.data?.modelVersionByHash?.civitaiId).toBe(earliest?.version.id);
  });
});

describe('Query.modelVersionsByHash', () => {
  test('when hashes of every kind, unknown ones and repeats are asked, then the versions come in input order, null with NOT_FOUND where unmatched', async ({ stack }) => {
    const files = plainFiles(stack.fixture);
    const pick = (kind: (typeof KINDS)[number], skip: number) => files.filter(({ file }) => file.hashes[kind])[skip] as Located;
    const asked = [
      [pick('SHA256', 0), 'SHA256'],
      [null, 'DEADBEEF'],
      [pick('AutoV2', 1), 'AutoV2'],
      [pick('CRC32', 2), 'CRC32'],
      [null, 'cd'.repeat(32)],
      [pick('SHA256', 0), 'SHA256'],
      [pick('BLAKE3', 3), 'BLAKE3'],
    ] as const;
    const hashes = asked.map(([f, kind]) => (f ? (f.file.hashes[kind as (typeof KINDS)[number]] as string) : kind));
    hashes[5] = (hashes[5] as string).toLowerCase();
    const result = await stack.client.execute(VersionsByHashDocument, { hashes });
    expect(result.data?.modelVersionsByHash.map((v) => v?.civitaiId ?? null)).toEqual(asked.map(([f]) => f?.version.id ?? null));
    expect(result.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
      ['NOT_FOUND', ['modelVersionsByHash', 1]],
      ['NOT_FOUND', ['modelVersionsByHash', 4]],
    ]);
    // One POST for the three distinct 64-digit hashes; a GET for each other kind and each 64-digit one it missed (BLAKE3, unknown).
    const routes = stack.fixture.log.map((e) => e.route).sort();
    expect(routes).toEqual(['by-hash', 'by-hash', 'by-hash', 'by-hash', 'by-hash', 'by-hash-batch']);
  });

  test('when 250 mixed hashes (SHA256 and AutoV2) are asked in one query, then 2 POSTs and 125 GETs serve them, within the plan', async ({ stack }) => {
    const files = plainFiles(stack.fixture).filter(({ file }) => file.hashes.SHA256 && file.hashes.AutoV2);
    expect(files.length).toBeGreaterThanOrEqual(250);
    const chosen = files.slice(0, 250);
    const hashes = chosen.map(({ file }, i) => (i % 2 === 0 ? (file.hashes.SHA256 as string) : (file.hashes.AutoV2 as string)));
    const result = await stack.client.execute(VersionsByHashDocument, { hashes }, { 'x-upstream-cost': '1' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.modelVersionsByHash.map((v) => v?.civitaiId)).toEqual(chosen.map((f) => f.version.id));
    expect(stack.fixture.calls('by-hash-batch')).toBe(2);
    expect(stack.fixture.calls('by-hash')).toBe(125);
    expect(stack.fixture.calls()).toBe(127);
    expect(result.extensions?.cost).toMatchObject({ calls: 127 });
    // The plan charges each 64-digit hash a possible GET more (it could be BLAKE3): an upper bound.
    expect(estimateUpstreamCalls(schema, VersionsByHashDocument, { hashes })).toBe(2 + 250);
    const bodies = stack.fixture.log.filter((e) => e.route === 'by-hash-batch').map((e) => (JSON.parse(String(e.body)) as string[]).length);
    expect(bodies.sort()).toEqual([100, 25].sort());
  });

  test('when more than 1,000 hashes or one bad hash are asked, then BAD_USER_INPUT before any call', async ({ stack }) => {
    const many = Array.from({ length: 1001 }, (_, i) => i.toString(16).padStart(8, '0'));
    expect(codes(await stack.client.execute(VersionsByHashDocument, { hashes: many }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await stack.client.execute(VersionsByHashDocument, { hashes: ['DEADBEEF', 'nope'] }))).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.log).toEqual([]);
  });

  test('when 1,000 hashes are asked, then the plan allows them', async ({ stack }) => {
    const hashes = Array.from({ length: 1000 }, (_, i) => i.toString(16).padStart(10, '0'));
    const result = await stack.client.execute(VersionsByHashDocument, { hashes }, { 'x-upstream-cost': '1' });
    expect(codes(result).every((c) => c === 'NOT_FOUND')).toBe(true);
    expect(result.errors).toHaveLength(1000);
    expect(stack.fixture.calls('by-hash')).toBe(1000);
    expect(result.extensions?.cost).toMatchObject({ calls: 1000, retries: 0 });
  });
});

describe('lookup by hash over a 2022-style upstream (no by-hash routes)', () => {
  test.override({ stackOptions: { fixture: { mode: '2022' }, env: { CACHE_MAX_BYTES: '0' } } });

  test('when hashes are looked up, then each is null with NOT_FOUND; the batch\u2019s 404 fails its own hashes only', async ({ stack }) => {
    const result = await stack.client.execute(VersionsByHashDocument, { hashes: ['ab'.repeat(32), 'DEADBEEF'] });
    expect(result.data?.modelVersionsByHash).toEqual([null, null]);
    expect(codes(result)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(stack.fixture.log.map((e) => [e.route, e.status]).sort()).toEqual([
      ['by-hash', 404],
      ['by-hash-batch', 404],
    ]);
  });
});

describe('the batch POST and the upstream cache', () => {
  test.override({ stackOptions: {} });

  test('when the same hashes are asked again, then the cached batch answers; other hashes make their own POST (the body is in the key)', async ({ stack }) => {
    const files = plainFiles(stack.fixture).filter(({ file }) => file.hashes.SHA256);
    const one = files.slice(0, 3).map(({ file }) => file.hashes.SHA256 as string);
    const two = files.slice(3, 6).map(({ file }) => file.hashes.SHA256 as string);
    const first = await stack.client.execute(VersionsByHashDocument, { hashes: one });
    expect(first.errors).toBeUndefined();
    expect(stack.fixture.calls('by-hash-batch')).toBe(1);
    const again = await stack.client.execute(VersionsByHashDocument, { hashes: one });
    expect(again.data).toEqual(first.data);
    expect(stack.fixture.calls('by-hash-batch')).toBe(1);
    const other = await stack.client.execute(VersionsByHashDocument, { hashes: two });
    expect(other.data?.modelVersionsByHash.map((v) => v?.civitaiId)).toEqual(files.slice(3, 6).map((f) => f.version.id));
    expect(stack.fixture.calls('by-hash-batch')).toBe(2);
  });
});
