/**
 * What a client's tooling reads from the schema, by introspection over HTTP: stats Civitai no
 * longer reports are @deprecated with a reason (codegen marks them, editors strike them
 * through), the default sort says what Civitai does, the scalars name their specification
 * (@specifiedBy), and every object type without an `id` has its graphcache `keys` entry in
 * docs/graphcache.md (graphcache warns, and cannot normalise, without one).
 */
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { test } from '../helpers/stack.js';

const it = test;

interface IntrospectedType {
  name: string;
  kind: string;
  description: string | null;
  specifiedByURL: string | null;
  fields: Array<{ name: string; isDeprecated: boolean; deprecationReason: string | null; args: Array<{ name: string; isDeprecated: boolean; deprecationReason: string | null }> }> | null;
  enumValues: Array<{ name: string; description: string | null }> | null;
}

const INTROSPECT = /* GraphQL */ `{
  __schema { types { name kind description specifiedByURL
    fields(includeDeprecated: true) { name isDeprecated deprecationReason args(includeDeprecated: true) { name isDeprecated deprecationReason } }
    enumValues(includeDeprecated: true) { name description } } }
}`;

async function types(stack: { client: { execute(query: string): Promise<{ data?: unknown; errors?: unknown }> } }): Promise<Map<string, IntrospectedType>> {
  const result = await stack.client.execute(INTROSPECT);
  expect(result.errors).toBeUndefined();
  const list = (result.data as { __schema: { types: IntrospectedType[] } }).__schema.types;
  return new Map(list.map((t) => [t.name, t]));
}

describe('schema conventions a client sees', () => {
  it('when a client introspects, then the stats Civitai no longer reports are deprecated with a reason, and so is the ignored rating filter', async ({ stack }) => {
    const all = await types(stack);
    const deprecated = (type: string, field: string) => all.get(type)?.fields?.find((f) => f.name === field);
    for (const [type, field] of [['ModelStats', 'rating'], ['ModelStats', 'ratingCount'], ['ModelStats', 'favoriteCount'], ['ModelVersionStats', 'rating'], ['ModelVersionStats', 'ratingCount']] as const) {
      const f = deprecated(type, field);
      expect([type, field, f?.isDeprecated]).toEqual([type, field, true]);
      expect(f?.deprecationReason).toMatch(/Civitai/);
    }
    const ratingArg = all.get('Query')?.fields?.find((f) => f.name === 'models')?.args.find((a) => a.name === 'rating');
    expect([ratingArg?.isDeprecated, ratingArg?.deprecationReason]).toEqual([true, expect.stringMatching(/ignore/i)]);
    // Still there: live counts are not deprecated.
    expect(deprecated('ModelStats', 'thumbsUpCount')?.isDeprecated).toBe(false);
  });

  it("when a client reads the default sort, then it says what Civitai does: thumbs-up count, then downloads", async ({ stack }) => {
    const highest = (await types(stack)).get('ModelSort')?.enumValues?.find((v) => v.name === 'HIGHEST_RATED');
    expect(highest?.description).toMatch(/thumbs-up/i);
    expect(highest?.description).toMatch(/download/i);
    expect(highest?.description).toMatch(/default/i);
  });

  it('when a client introspects the scalars, then DateTime and JSON name their specification', async ({ stack }) => {
    const all = await types(stack);
    expect(all.get('DateTime')?.specifiedByURL).toBe('https://scalars.graphql.org/andimarek/date-time');
    expect(all.get('JSON')?.specifiedByURL).toMatch(/^https?:\/\//);
  });

  it("when a urql user sets up graphcache, then docs/graphcache.md's keys cover every object type without an id", async ({ stack }) => {
    const all = await types(stack);
    const idless = [...all.values()]
      .filter((t) => t.kind === 'OBJECT' && !t.name.startsWith('__') && !['Query', 'Mutation', 'Subscription'].includes(t.name) && !t.fields?.some((f) => f.name === 'id'))
      .map((t) => t.name)
      .sort();
    expect(idless.length).toBeGreaterThan(5);
    const doc = readFileSync(new URL('../../docs/graphcache.md', import.meta.url), 'utf8');
    const recipe = /```ts\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const keyed = [...recipe.matchAll(/^\s+(\w+): \(\) => null,/gm)].map((m) => m[1]).sort();
    expect(keyed).toEqual(idless);
  });
});
