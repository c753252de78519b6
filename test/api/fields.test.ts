import { describe, expect } from 'vitest';
import { ModelByIdDocument, ModelVersionByIdDocument } from '../../generated/graphql.js';
import { codes } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

const gid = (type: string, id: string | number) => Buffer.from(`${type}:${id}`).toString('base64');

describe('every field of every type', () => {
  test('when the 2022 spec\u2019s version 1318 is read, then every field matches the spec and the catalogue', async ({ stack }) => {
    const { version, model } = stack.fixture.catalogue.versionById.get(1318) ?? {};
    const result = await stack.client.execute(ModelVersionByIdDocument, { id: 1318 });
    expect(result.errors).toBeUndefined();
    expect(result.data?.modelVersion).toEqual({
      id: gid('ModelVersion', 1318),
      civitaiId: 1318,
      name: 'toad',
      description: null,
      index: null,
      createdAt: '2022-12-08T19:58:49.765Z',
      updatedAt: '2022-12-08T20:24:50.330Z',
      publishedAt: '2022-12-08T19:58:49.765Z',
      status: 'Published',
      air: `urn:air:sd15:checkpoint:civitai:1244@1318`,
      downloadUrl: `${stack.fixture.origin}/api/download/models/1318`,
      trainedWords: ['ttdddd'],
      baseModel: 'SD 1.5',
      baseModelType: 'Standard',
      nsfwLevel: 1,
      availability: null,
      stats: { downloadCount: 6318, thumbsUpCount: 1818, thumbsDownCount: null, ratingCount: null, rating: null },
      files: [
        {
          civitaiId: 1244,
          name: 'froggyStyle_toad.ckpt',
          sizeKb: 2546414.971679688,
          type: 'Model',
          format: 'PickleTensor',
          fp: null,
          size: null,
          pickleScanResult: 'SUCCESS',
          pickleScanMessage: '**Detected Pickle imports (3)**\n```\ncollections.OrderedDict\ntorch.HalfStorage\ntorch._utils._rebuild_tensor_v2\n```',
          virusScanResult: 'SUCCESS',
          virusScanMessage: null,
          scannedAt: '2022-12-08T20:15:36.133Z',
          primary: true,
          downloadUrl: `${stack.fixture.origin}/api/download/models/1318`,
          hashes: [],
        },
      ],
      images: version?.images.map((i) => ({
        civitaiId: null,
        url: i.url,
        nsfw: false,
        nsfwLevel: 1,
        width: i.width,
        height: i.height,
        hash: i.hash,
        type: 'image',
        meta: null,
      })),
      model: { id: gid('Model', 1244), civitaiId: 1244, name: model?.name, nsfw: false },
    });
  });

  test('when model 23 is read with every field, then model, versions, tags and creator are whole', async ({ stack }) => {
    const m = stack.fixture.catalogue.modelById.get(23);
    const creator = stack.fixture.catalogue.userById.get(m?.userId ?? 0);
    const result = await stack.client.execute(ModelByIdDocument, { id: 23 });
    expect(result.errors).toBeUndefined();
    const model = result.data?.model;
    expect({ ...model, modelVersions: undefined }).toEqual({
      id: gid('Model', 23),
      civitaiId: 23,
      name: 'Arcane Diffusion',
      description: null,
      type: 'CHECKPOINT',
      typeName: 'Checkpoint',
      nsfw: false,
      nsfwLevel: 1,
      poi: false,
      availability: 'Public',
      archived: false,
      takenDown: false,
      allowCommercialUse: ['Image', 'RentCivit'],
      allowNoCredit: true,
      allowDerivatives: true,
      allowDifferentLicense: true,
      supportsGeneration: false,
      stats: {
        downloadCount: 80_000,
        favoriteCount: null,
        thumbsUpCount: 8_500,
        thumbsDownCount: 4,
        commentCount: 30,
        ratingCount: null,
        rating: null,
        tippedAmountCount: 5,
      },
      tags: ['style', 'Anime', 'Arcane', 'League of Legends ', 'nitrosocke'].map((name) => ({ id: gid('Tag', name), name })),
      creator: { id: gid('Creator', creator?.username ?? ''), username: creator?.username, image: creator?.image },
      modelVersions: undefined,
    });
    expect(model?.modelVersions.map((v) => [v.civitaiId, v.name, v.createdAt, v.status])).toEqual([
      [23, 'V1', '2022-11-04T19:41:24.643Z', 'Published'],
      [25, 'V3', '2022-11-04T19:45:47.336Z', 'Published'],
      [24, 'V2', '2022-11-04T19:42:47.336Z', 'Published'],
    ]);
  });

  test('when a model is NSFW, then every image on it reads NSFW', async ({ stack }) => {
    const nsfwModel = stack.fixture.catalogue.models.find(
      (m) => m.nsfw && m.status === 'Published' && !m.ownerOnly && !m.mode && m.versions.some((v) => v.files.length && v.images.some((i) => i.nsfwLevel === 1)),
    );
    expect(nsfwModel).toBeDefined();
    const result = await stack.client.execute(`{ model(id: ${nsfwModel?.id}) { nsfw modelVersions { images { nsfw nsfwLevel } } } }`);
    const images = (result.data as { model: { nsfw: boolean; modelVersions: Array<{ images: Array<{ nsfw: boolean; nsfwLevel: number }> }> } }).model;
    expect(images.nsfw).toBe(true);
    const all = images.modelVersions.flatMap((v) => v.images);
    expect(all.some((i) => i.nsfwLevel === 1)).toBe(true);
    expect(all.every((i) => i.nsfw)).toBe(true);
  });

  test('when Civitai sends a model type this API does not know, then it reads UNKNOWN with the raw name', async ({ stack }) => {
    const odd = stack.fixture.catalogue.models.find((m) => m.type === 'SplatModel' && m.status === 'Published' && !m.ownerOnly && !m.poi && m.versions.some((v) => v.files.length));
    const result = await stack.client.execute(`{ model(id: ${odd?.id}) { type typeName } }`);
    expect(result).toMatchObject({ data: { model: { type: 'UNKNOWN', typeName: 'SplatModel' } } });
    expect(result.errors).toBeUndefined();
  });

  test('when a version comes from a list, then createdAt and image meta are loaded by id only when asked', async ({ stack }) => {
    stack.fixture.resetLog();
    const result = await stack.client.execute(`{ model(id: 1244) { modelVersions { createdAt images { meta } } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ model: { modelVersions: [{ createdAt: '2022-12-08T19:58:49.765Z', images: [{ meta: null }, { meta: null }] }] } });
  });

  test('when a model does not exist, then the field is null with NOT_FOUND and siblings keep their data', async ({ stack }) => {
    const result = await stack.client.execute(`{ missing: model(id: 3) { name } present: model(id: 64) { name } version: modelVersion(id: 999999999) { name } }`);
    expect(result.data).toEqual({ missing: null, present: { name: 'Redshift Diffusion' }, version: null });
    expect(codes(result).sort()).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });
});
