/** src/upstream/models.ts: how each /models filter is encoded (sent, or applied here), pure. */
import { describe, expect, it } from 'vitest';
import {
  applyLocalFilters,
  carriesCompleteModels,
  locallyFiltered,
  modelListQuery,
  modelPaging,
  pageCursor,
  pageCursorOffset,
  refusedBy2022,
  type UpstreamModel,
} from '../../src/upstream/models.js';
import type { UpstreamFile, UpstreamImage, UpstreamVersion } from '../../src/upstream/shapes.js';

const query = (params: Parameters<typeof modelListQuery>[0]) => modelListQuery(params).filter(([k]) => k !== 'limit');

function model(over: Partial<UpstreamModel> & { id: number }): UpstreamModel {
  return {
    name: 'm', description: null, type: 'LORA', nsfw: false, nsfwLevel: 1, poi: false, minor: false, mode: null, availability: 'Public',
    allowNoCredit: true, allowDerivatives: true, allowDifferentLicense: true, allowCommercialUse: [], supportsGeneration: false,
    baseModels: undefined, stats: null, creator: null, tags: [], modelVersions: [], ...over,
  } as UpstreamModel;
}

describe('modelListQuery', () => {
  it('when lists are asked, then they are repeated parameters (ids one comma list), never comma lists', () => {
    expect(query({ limit: 5, baseModels: ['SDXL 1.0', 'Pony'], allowCommercialUse: ['Sell', 'Rent'], ids: [3, 1] })).toEqual([
      ['ids', '3,1'],
      ['baseModels', 'SDXL 1.0'],
      ['baseModels', 'Pony'],
      ['allowCommercialUse', 'Sell'],
      ['allowCommercialUse', 'Rent'],
    ]);
  });

  it('when coerced booleans are false, then nothing is sent (=false would read as true upstream); when true, =true', () => {
    const flags = { supportsGeneration: false, earlyAccess: false, archived: false, favorites: false, hidden: false, nsfw: false } as const;
    expect(query({ limit: 5, ...flags })).toEqual([]);
    expect(query({ limit: 5, supportsGeneration: true, earlyAccess: true, archived: true, favorites: true, hidden: true }).map(([k, v]) => `${k}=${v}`)).toEqual([
      'supportsGeneration=true', 'earlyAccess=true', 'archived=true', 'favorites=true', 'hidden=true',
    ]);
  });

  it('when the strict booleans and primaryFileOnly are asked, then none is sent (they are applied here)', () => {
    expect(query({ limit: 5, allowNoCredit: true, allowDerivatives: false, allowDifferentLicense: true, primaryFileOnly: true })).toEqual([]);
  });

  it('when checkpointType comes without types, then types=Checkpoint is added; with types, they are kept', () => {
    expect(query({ limit: 5, checkpointType: 'Merge' })).toEqual([['types', 'Checkpoint'], ['checkpointType', 'Merge']]);
    expect(query({ limit: 5, checkpointType: 'Merge', types: ['Checkpoint', 'LORA'] })).toEqual([['types', 'Checkpoint'], ['types', 'LORA'], ['checkpointType', 'Merge']]);
  });
});

describe('filters applied here', () => {
  it('when the strict booleans or false coerced ones are asked, then they are local and counted for the plan', () => {
    expect(locallyFiltered({ allowNoCredit: false })).toBe(true);
    expect(locallyFiltered({ supportsGeneration: false })).toBe(true);
    expect(locallyFiltered({ supportsGeneration: true, earlyAccess: true, allowNoCredit: null })).toBe(false);
    expect(modelPaging({ allowDerivatives: true }).pages).toBeNull();
  });

  it('when items come, then only the matching ones stay, PG-level without nsfw (the PG bit, or the 2022 flag), PG images and primary files as asked', () => {
    const pgImage = { id: 1, url: 'u', width: 1, height: 1, hash: null, type: 'image', nsfwLevel: 1, nsfw: false, meta: undefined };
    const rImage = { ...pgImage, id: 2, nsfwLevel: 4, nsfw: true };
    const version = {
      id: 9, modelId: 1, source: 'list', name: 'v', index: 0, availability: null, baseModel: null, baseModelType: null, nsfwLevel: 5, air: null,
      trainedWords: [], stats: null, downloadUrl: null, images: [pgImage, rImage],
      files: [{ primary: true, id: 1 }, { primary: false, id: 2 }],
    } as unknown as UpstreamVersion;
    const items = [
      model({ id: 1, nsfwLevel: 5, modelVersions: [version] }),
      model({ id: 2, nsfwLevel: 12 }),
      model({ id: 3, nsfwLevel: null, nsfw: true }),
      model({ id: 4, nsfwLevel: null, nsfw: false, allowNoCredit: false }),
    ];
    expect(applyLocalFilters(items, { limit: 5 }).map((m) => m.id)).toEqual([1, 4]);
    expect(applyLocalFilters(items, { limit: 5, nsfw: true }).map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(applyLocalFilters(items, { limit: 5, nsfw: true, allowNoCredit: false }).map((m) => m.id)).toEqual([4]);
    const [first] = applyLocalFilters(items, { limit: 5, primaryFileOnly: true });
    const firstVersion = (first?.modelVersions as UpstreamVersion[])[0];
    expect((firstVersion?.images as UpstreamImage[]).map((i) => i.id)).toEqual([1]);
    expect((firstVersion?.files as UpstreamFile[]).map((f) => f.id)).toEqual([1]);
    // The input is not changed: the entity store keeps whole models.
    expect((items[0]?.modelVersions as UpstreamVersion[])[0]?.files).toHaveLength(2);
  });

  it('when a list narrows versions or files, then its models are not kept as whole models', () => {
    expect(carriesCompleteModels({ nsfw: true })).toBe(true);
    for (const narrowing of [{ baseModels: ['Pony'] }, { supportsGeneration: true }, { primaryFileOnly: true }]) {
      expect(carriesCompleteModels({ nsfw: true, ...narrowing })).toBe(false);
    }
  });
});

describe('a 2022-style upstream', () => {
  it('when cursors are made from its page numbers, then they read back as the row offset, and nothing else does', () => {
    expect(pageCursorOffset(pageCursor(250))).toBe(250);
    expect(pageCursorOffset('22138|364671|25494')).toBeUndefined();
    expect(pageCursorOffset('@x')).toBeUndefined();
    expect(pageCursorOffset(undefined)).toBeUndefined();
  });

  it('when live-only filters are asked of it, then they are named and refused; PG-only lists have no numbered offsets', () => {
    expect(refusedBy2022({ baseModels: ['Pony'], earlyAccess: false, primaryFileOnly: true, archived: true })).toEqual(['baseModels', 'earlyAccess']);
    expect(modelPaging({ baseModels: ['Pony'] }, '2022').refused).toContain('`baseModels`');
    expect(modelPaging({ baseModels: ['Pony'] }, 'live').refused).toBeNull();
    expect(modelPaging({}, '2022').pages).toBeNull();
    expect(modelPaging({ nsfw: true }, '2022').pages).not.toBeNull();
  });
});
