import { describe, expect } from 'vitest';
import { ModelByIdDocument, NodeByIdDocument, NodesByIdsDocument } from '../../generated/graphql.js';
import { codes } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

const gid = (type: string, id: string | number) => Buffer.from(`${type}:${id}`).toString('base64');

describe('global IDs', () => {
  test('when a model is fetched, then its id round-trips through node and nodes', async ({ stack }) => {
    const byId = await stack.client.execute(ModelByIdDocument, { id: 23 });
    expect(byId.errors).toBeUndefined();
    const model = byId.data?.model;
    expect(model).toMatchObject({ id: gid('Model', 23), civitaiId: 23, name: 'Arcane Diffusion' });

    const node = await stack.client.execute(NodeByIdDocument, { id: gid('Model', 23) });
    expect(node.data).toEqual({ node: { __typename: 'Model', id: gid('Model', 23), civitaiId: 23, name: 'Arcane Diffusion' } });

    const versionId = model?.modelVersions[0]?.id as string;
    const creatorId = model?.creator?.id as string;
    const tagId = model?.tags[0]?.id as string;
    const nodes = await stack.client.execute(NodesByIdsDocument, { ids: [gid('Model', 23), versionId, creatorId, tagId] });
    expect(nodes.errors).toBeUndefined();
    expect(nodes.data?.nodes).toEqual([
      { __typename: 'Model', id: gid('Model', 23), civitaiId: 23, name: 'Arcane Diffusion' },
      { __typename: 'ModelVersion', id: versionId, civitaiId: model?.modelVersions[0]?.civitaiId, name: model?.modelVersions[0]?.name },
      { __typename: 'Creator', id: creatorId, username: model?.creator?.username },
      { __typename: 'Tag', id: tagId, name: model?.tags[0]?.name },
    ]);
  });

  test('when nodes asks for twenty models, then one upstream call serves them', async ({ stack }) => {
    const page = await fetch(`${stack.fixture.url}/models?limit=20&nsfw=true`).then((r) => r.json() as Promise<{ items: Array<{ id: number; name: string }> }>);
    stack.fixture.resetLog();
    const ids = page.items.map((m) => gid('Model', m.id)).reverse();
    const result = await stack.client.execute(NodesByIdsDocument, { ids });
    expect(result.errors).toBeUndefined();
    expect(result.data?.nodes.map((n) => (n && 'civitaiId' in n ? n.civitaiId : null))).toEqual(page.items.map((m) => m.id).reverse());
    expect(stack.fixture.calls()).toBe(1);
    expect(stack.fixture.log[0]?.url).toMatch(/^\/api\/v1\/models\?.*ids=/);
  });

  test('when an id does not exist, then that node is null with NOT_FOUND and the others still resolve', async ({ stack }) => {
    const result = await stack.client.execute(NodesByIdsDocument, { ids: [gid('Model', 2_000_000_123), gid('Model', 64)] });
    expect(result.data?.nodes).toEqual([null, { __typename: 'Model', id: gid('Model', 64), civitaiId: 64, name: 'Redshift Diffusion' }]);
    expect(result.errors).toEqual([expect.objectContaining({ path: ['nodes', 0], extensions: { code: 'NOT_FOUND' } })]);
  });

  test.for<[string, string]>([
    ['not base64 at all', '!!!'],
    ['no type', Buffer.from('123').toString('base64')],
    ['an unknown type', gid('PageInfo', 1)],
    ['a non-numeric model id', gid('Model', 'abc')],
    ['a negative id', gid('Model', -4)],
    ['an id beyond 32 bits', gid('ModelVersion', 99_999_999_999)],
  ])('when a global ID is %s, then BAD_USER_INPUT comes back before any upstream call', async ([_what, id], { stack }) => {
    const result = await stack.client.execute(NodeByIdDocument, { id });
    expect(result.data).toEqual({ node: null });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when model(id) is out of range, then BAD_USER_INPUT comes back before any upstream call', async ({ stack }) => {
    const result = await stack.client.execute(ModelByIdDocument, { id: 0 });
    expect(result.data).toEqual({ model: null });
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.calls()).toBe(0);
  });
});
