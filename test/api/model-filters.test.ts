/** Issue 10 §4: every /models filter, through HTTP against the live-mode fixture, with upstream call counts. */
import { parse, print } from 'graphql';
import { describe, expect } from 'vitest';
import {
  CreatorFilteredModelsDocument,
  FilteredModelsDocument,
  type FilteredModelsQuery,
  type FilteredModelsQueryVariables,
} from '../../generated/graphql.js';
import { maxCallsForWindow } from '../../src/pagination/bounds.js';
import { estimateUpstreamCalls } from '../../src/plugins/query-cost.js';
import { schema } from '../../src/schema/index.js';
import { MAX_BASE_MODELS } from '../../src/schema/validate.js';
import { LOCAL_FILTER_EXTRA_CALLS, MAX_MODELS_LIMIT } from '../../src/upstream/models.js';
import { codes, type GraphQLResponse } from '../helpers/execute.js';
import { test, type Stack } from '../helpers/stack.js';
import { rawGet } from '../helpers/upstream.js';

test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0' } } });

type Raw = { id: number; allowNoCredit: boolean; allowDerivatives: boolean; allowDifferentLicense: boolean; supportsGeneration: boolean; baseModels: string[] };
type Result = GraphQLResponse<FilteredModelsQuery>;
const ids = (r: Result) => r.data?.models?.edges.map((e) => e.node!.civitaiId) ?? [];
const nodes = (r: Result) => r.data?.models?.edges.map((e) => e.node) ?? [];

/** Every item of a live /models query, walking its cursors. */
async function everything(stack: Stack, query: string, headers: Record<string, string> = {}): Promise<Raw[]> {
  const items: Raw[] = [];
  let cursor: string | undefined;
  do {
    const response = await fetch(`${stack.fixture.url}/models?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers });
    const page = (await response.json()) as { items: Raw[]; metadata: { nextCursor?: string } };
    items.push(...page.items);
    cursor = page.metadata.nextCursor;
  } while (cursor);
  stack.fixture.resetLog();
  return items;
}

const run = (stack: Stack, variables: FilteredModelsQueryVariables, headers?: Record<string, string>) =>
  stack.client.execute(FilteredModelsDocument, variables, headers);
/** The plan of the window alone (the document less its per-image fields, whose own lookups the plan also charges). */
const windowOnly = parse(print(FilteredModelsDocument).replace(/edges \{[\s\S]*$/, 'edges { node { civitaiId } } } }'));
const planned = (variables: FilteredModelsQueryVariables) => estimateUpstreamCalls(schema, windowOnly, variables as Record<string, unknown>);
const sent = (stack: Stack) => stack.fixture.log.map((e) => new URL(e.url, stack.fixture.origin).searchParams);

describe('model filters Civitai applies', () => {
  test('when baseModels are asked, then they are sent repeated, versions are narrowed and Model.baseModels keeps every base', async ({ stack }) => {
    const reference = await everything(stack, '&baseModels=SDXL%201.0&baseModels=Pony');
    const result = await run(stack, { first: 30, baseModels: ['SDXL 1.0', 'Pony'] });
    expect(result.errors).toBeUndefined();
    expect(ids(result)).toEqual(reference.slice(0, 30).map((m) => m.id));
    expect(nodes(result).map((m) => m!.baseModels)).toEqual(reference.slice(0, 30).map((m) => m.baseModels));
    expect(nodes(result).every((m) => m!.modelVersions.every((v) => ['SDXL 1.0', 'Pony'].includes(v.baseModel ?? '')))).toBe(true);
    expect(sent(stack)[0]?.getAll('baseModels').sort()).toEqual(['Pony', 'SDXL 1.0']);
    expect(stack.fixture.calls()).toBeLessThanOrEqual(planned({ first: 30 }));
  });

  test('when baseModels names more than MAX_BASE_MODELS, then BAD_USER_INPUT before any call (no over-long upstream URL)', async ({ stack }) => {
    const many = Array.from({ length: MAX_BASE_MODELS + 1 }, (_v, k) => `Base ${k}`);
    const refused = await run(stack, { first: 5, baseModels: many });
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.data).toEqual({ models: null });
    expect(stack.fixture.calls()).toBe(0);
    const allowed = await run(stack, { first: 5, baseModels: many.slice(0, MAX_BASE_MODELS) });
    expect(allowed.errors).toBeUndefined();
  });

  test('when checkpointType is asked without types, then only checkpoints of that kind come; with other types but not CHECKPOINT, BAD_USER_INPUT before any call', async ({ stack }) => {
    const result = await run(stack, { first: 20, checkpointType: 'MERGE' });
    expect(result.errors).toBeUndefined();
    expect(nodes(result).every((m) => m!.type === 'CHECKPOINT')).toBe(true);
    const reference = await everything(stack, '&types=Checkpoint&checkpointType=Merge');
    expect(ids(result)).toEqual(reference.slice(0, 20).map((m) => m.id));
    const refused = await run(stack, { first: 20, checkpointType: 'MERGE', types: ['LORA'] });
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when allowCommercialUse is asked, then each use is sent as its own parameter and every model allows one of them', async ({ stack }) => {
    const result = await run(stack, { first: 40, allowCommercialUse: ['SELL', 'RENT'] });
    expect(result.errors).toBeUndefined();
    expect(nodes(result)).toHaveLength(40);
    expect(nodes(result).every((m) => m!.allowCommercialUse.some((u) => u === 'Sell' || u === 'Rent'))).toBe(true);
    expect(sent(stack)[0]?.getAll('allowCommercialUse').sort()).toEqual(['Rent', 'Sell']);
  });

  test('when supportsGeneration, earlyAccess and archived are true, then each is sent as =true and the list is the upstream one', async ({ stack }) => {
    for (const [name, param] of [['supportsGeneration', 'supportsGeneration'], ['earlyAccess', 'earlyAccess'], ['archived', 'archived']] as const) {
      const reference = await everything(stack, `&${param}=true`);
      const result = await run(stack, { first: 25, [name]: true });
      expect(result.errors).toBeUndefined();
      expect(ids(result)).toEqual(reference.slice(0, 25).map((m) => m.id));
      expect(sent(stack)[0]?.get(param)).toBe('true');
    }
    // Archived models are left out unless asked.
    const withArchived = await everything(stack, '&archived=true&nsfw=true');
    const without = new Set((await everything(stack, '&nsfw=true')).map((m) => m.id));
    expect(withArchived.some((m) => !without.has(m.id))).toBe(true);
  });

  test('when ids are asked, then they are sent as one comma list and only those models come; 0 or 101 ids, or ids with query, are refused before any call', async ({ stack }) => {
    const some = (await everything(stack, '')).slice(0, 12).map((m) => m.id);
    const result = await run(stack, { first: 20, ids: [...some].reverse() });
    expect(new Set(ids(result))).toEqual(new Set(some));
    expect(sent(stack)[0]?.get('ids')).toBe([...some].sort((a, b) => a - b).join(','));
    stack.fixture.resetLog();
    for (const bad of [{ ids: [] }, { ids: Array.from({ length: 101 }, (_, i) => i + 1) }, { ids: [1], query: 'a' }, { ids: [0] }]) {
      expect(codes(await run(stack, { first: 5, ...bad }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(stack.fixture.calls()).toBe(0);
  });
});

describe('model filters that need a key', () => {
  test.for(['favorites', 'hidden'] as const)('when %s is asked without a key, then UNAUTHENTICATED before any call; with a key, the account\u2019s list', async (name, { stack }) => {
    for (const value of [true, false]) {
      const refused = await run(stack, { first: 5, [name]: value });
      expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
    }
    expect(stack.fixture.calls()).toBe(0);
    const auth = { authorization: 'Bearer fixture-key-alice' };
    const reference = await everything(stack, `&${name}=true`, auth);
    expect(reference.length).toBeGreaterThan(0);
    const result = await run(stack, { first: 10, [name]: true }, auth);
    expect(result.errors).toBeUndefined();
    expect(ids(result)).toEqual(reference.slice(0, 10).map((m) => m.id));
    expect(sent(stack)[0]?.get(name)).toBe('true');
    expect(stack.fixture.log[0]?.user).toBeDefined();
  });
});

describe('model filters applied here', () => {
  test.for<[string, FilteredModelsQueryVariables, (m: Raw) => boolean]>([
    ['allowNoCredit: false', { allowNoCredit: false }, (m) => m.allowNoCredit === false],
    ['allowDerivatives: true', { allowDerivatives: true }, (m) => m.allowDerivatives === true],
    ['allowDifferentLicense: false', { allowDifferentLicense: false }, (m) => m.allowDifferentLicense === false],
    ['supportsGeneration: false', { supportsGeneration: false }, (m) => m.supportsGeneration === false],
  ])('when %s is asked, then nothing is sent for it, every page read is full, the windows are full and in order, within the plan', async ([_name, variables, keep], { stack }) => {
    const reference = (await everything(stack, '')).filter(keep).map((m) => m.id);
    const seen: number[] = [];
    let after: string | null = null;
    for (let k = 0; k < 3; k++) {
      stack.fixture.resetLog();
      const result: Result = await run(stack, { first: 50, after, ...variables });
      expect(result.errors).toBeUndefined();
      expect(nodes(result)).toHaveLength(50);
      seen.push(...ids(result));
      expect(stack.fixture.calls()).toBeLessThanOrEqual(planned({ first: 50, ...variables }));
      expect(sent(stack).every((q) => q.get('limit') === '100' && !q.has('allowNoCredit') && !q.has('allowDerivatives') && !q.has('allowDifferentLicense') && !q.has('supportsGeneration'))).toBe(true);
      after = result.data?.models?.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual(reference.slice(0, 150));
    expect(planned({ first: 50, ...variables })).toBe(maxCallsForWindow(50, MAX_MODELS_LIMIT) + LOCAL_FILTER_EXTRA_CALLS);
  });

  test('when the filters applied here match few models, then a window spends the planned calls, comes back shorter with hasNextPage, and its cursor continues without loss', async ({ stack }) => {
    const variables = { allowNoCredit: false, allowDerivatives: false, allowDifferentLicense: false };
    const keep = (m: Raw) => !m.allowNoCredit && !m.allowDerivatives && !m.allowDifferentLicense;
    const reference = (await everything(stack, '')).filter(keep).map((m) => m.id);
    const budget = planned({ first: 100, ...variables });
    expect(budget).toBe(maxCallsForWindow(100, MAX_MODELS_LIMIT) + LOCAL_FILTER_EXTRA_CALLS);
    const one = await run(stack, { first: 100, ...variables });
    expect(one.errors).toBeUndefined();
    expect(stack.fixture.calls()).toBe(budget);
    expect(one.data?.models?.pageInfo.hasNextPage).toBe(true);
    expect(ids(one).length).toBeLessThan(100);
    const two = await run(stack, { first: 100, ...variables, after: one.data?.models?.pageInfo.endCursor });
    expect([...ids(one), ...ids(two)]).toEqual(reference.slice(0, ids(one).length + ids(two).length));
  });

  test('when a cursor from one filter is used with another, then BAD_USER_INPUT before any call', async ({ stack }) => {
    const one = await run(stack, { first: 5, allowNoCredit: false });
    stack.fixture.resetLog();
    const other = await run(stack, { first: 5, allowNoCredit: true, after: one.data?.models?.pageInfo.endCursor });
    expect(codes(other)).toEqual(['BAD_USER_INPUT']);
    expect(stack.fixture.calls()).toBe(0);
  });

  test('when primaryFileOnly is asked, then every version keeps only its primary file and nothing is sent for it', async ({ stack }) => {
    const result = await run(stack, { first: 30, primaryFileOnly: true });
    const files = nodes(result).flatMap((m) => m!.modelVersions.flatMap((v) => v.files));
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.primary)).toBe(true);
    expect(sent(stack).every((q) => !q.has('primaryFileOnly'))).toBe(true);
    const all = await run(stack, { first: 30 });
    expect(nodes(all).flatMap((m) => m!.modelVersions.flatMap((v) => v.files)).some((f) => !f.primary)).toBe(true);
  });
});

describe('the same filters on Creator.models and Tag.models', () => {
  test('when a creator\u2019s models are filtered, then the filters go upstream with the username', async ({ stack }) => {
    const listed = await rawGet<{ items: Array<{ creator?: { username: string } }> }>(stack.fixture, '/models?limit=20&nsfw=true');
    const username = listed.items.find((m) => m.creator)?.creator?.username as string;
    stack.fixture.resetLog();
    const result = await stack.client.execute(CreatorFilteredModelsDocument, { username, first: 10, baseModels: ['SDXL 1.0'], allowDerivatives: true });
    expect(result.errors).toBeUndefined();
    const models = result.data?.creator?.models?.edges.map((e) => e.node) ?? [];
    expect(models.every((m) => m!.allowDerivatives === true && m!.baseModels.includes('SDXL 1.0'))).toBe(true);
    const modelCalls = sent(stack).filter((q) => q.has('username'));
    expect(modelCalls.length).toBeGreaterThan(0);
    expect(modelCalls.every((q) => q.get('baseModels') === 'SDXL 1.0' && q.get('limit') === '100')).toBe(true);
  });

  test('when a tag\u2019s models are filtered, then Tag.models takes the same arguments', async ({ stack }) => {
    const query = print(FilteredModelsDocument).length > 0 ? '{ tag(name: "style") { models(first: 5, allowCommercialUse: [IMAGE], checkpointType: TRAINED) { edges { node { type allowCommercialUse } } } } }' : '';
    const result = await stack.client.execute<{ tag: { models: { edges: Array<{ node: { type: string; allowCommercialUse: string[] } }> } } }, never>(query);
    expect(result.errors).toBeUndefined();
    const models = result.data?.tag.models.edges.map((e) => e.node) ?? [];
    expect(models.every((m) => m.type === 'CHECKPOINT' && m.allowCommercialUse.includes('Image'))).toBe(true);
    const list = sent(stack).find((q) => q.has('tag'));
    expect(list?.getAll('allowCommercialUse')).toEqual(['Image']);
    expect(list?.get('checkpointType')).toBe('Trained');
  });
});
