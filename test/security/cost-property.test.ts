import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { describe, expect } from 'vitest';
import { estimateUpstreamCalls } from '../../src/plugins/query-cost.js';
import { schema } from '../../src/schema/index.js';
import { encodeNodeId } from '../../src/schema/global-id.js';
import { test, type Stack } from '../helpers/stack.js';
import { prng, type Prng } from '../../fixture/prng.js';

/**
 * The cost plan is an upper bound: random queries generated from the schema (fragments, inline
 * fragments on interfaces, named fragments, aliases, @skip/@include with variables, small
 * argument values, ids from the fixture's catalogue and some that do not exist) never make more
 * upstream calls than planned. Seeded: COST_SEED=<n> replays a run; a failure prints the seed and
 * the query.
 */
const SEED = Number(process.env.COST_SEED ?? 20_261_125);
const RUNS = Number(process.env.COST_RUNS ?? 150);

// No cross-request or whole-response cache: every lookup is a real upstream call. A server per test.
test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0', RESPONSE_CACHE_ENTRIES: '0' } } });
const it = test;

type Rng = Prng;

interface Generated {
  query: string;
  variables: Record<string, unknown>;
}

function generator(rng: Rng, stackRef: Stack) {
  const cat = stackRef.fixture.catalogue;
  const modelIds = [...cat.modelById.keys()];
  const versionIds = [...cat.versionById.keys()];
  const usernames = cat.users.map((u) => u.username);
  const tagNames = cat.tags.map((t) => t.name);
  const missingId = () => rng.int(1, 2_000_000);

  return function generate(): Generated {
    const fragments: string[] = [];
    const varDefs: string[] = [];
    const variables: Record<string, unknown> = {};
    let aliasCount = 0;
    let n = 0;

    const globalId = () => {
      const kind = rng.int(0, 4);
      if (kind === 0) return encodeNodeId('Model', rng.chance(0.85) ? rng.pick(modelIds) : missingId());
      if (kind === 1) return encodeNodeId('ModelVersion', rng.chance(0.85) ? rng.pick(versionIds) : missingId());
      if (kind === 2) return encodeNodeId('Creator', rng.chance(0.85) ? rng.pick(usernames) : `nobody${missingId()}`);
      if (kind === 3) return encodeNodeId('Tag', rng.chance(0.85) ? rng.pick(tagNames) : `notag${missingId()}`);
      return encodeNodeId('Model', rng.pick(modelIds));
    };

    function argValue(fieldName: string, argName: string, typeName: string, required: boolean): string | null {
      if (!required && rng.chance(0.5)) return null;
      if (argName === 'first') {
        const value = rng.int(0, 5);
        if (rng.chance(0.3)) {
          const v = `v${n++}`;
          varDefs.push(`$${v}: Int`);
          variables[v] = value;
          return `$${v}`;
        }
        return String(value);
      }
      // The images feed pages forward only: `last` there is refused by design.
      if (argName === 'last') return typeName === 'Int' && !['images', 'gallery'].includes(fieldName) && rng.chance(0.2) ? String(rng.int(0, 3)) : null;
      if (argName === 'after' || argName === 'before') return null;
      if (argName === 'id' && typeName === 'Int') return String(fieldName === 'modelVersion' ? rng.pick(versionIds) : rng.chance(0.85) ? rng.pick(modelIds) : missingId());
      if (argName === 'id') return JSON.stringify(globalId());
      // The model filter `ids` (Civitai ids) and `checkpointType` (refused with other `types`) are tested in test/api/model-filters.test.ts.
      if ((argName === 'ids' && typeName === 'Int') || argName === 'checkpointType') return null;
      if (argName === 'ids') return `[${Array.from({ length: rng.int(0, 4) }, () => JSON.stringify(globalId())).join(', ')}]`;
      if (argName === 'username') return JSON.stringify(rng.chance(0.85) ? rng.pick(usernames) : `nobody${missingId()}`);
      if (argName === 'name' || argName === 'tag') return JSON.stringify(rng.pick(tagNames));
      if (argName === 'nsfw' && typeName === 'Boolean') return String(rng.chance(0.5));
      if (argName === 'query') return JSON.stringify(rng.pick(['a', 'style', 'an', 'xl']));
      const type = schema.getType(typeName);
      // UNKNOWN is refused as a filter: picking it would only produce refused queries.
      if (isEnumType(type)) return rng.pick(type.getValues().filter((v) => v.name !== 'UNKNOWN')).name;
      return null;
    }

    function fieldText(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>, depth: number): string | null {
      const named = getNamedType(field.type);
      const args: string[] = [];
      for (const arg of field.args) {
        const value = argValue(field.name, arg.name, getNamedType(arg.type).name, isNonNullType(arg.type));
        if (value === null) {
          if (isNonNullType(arg.type)) return null;
          continue;
        }
        args.push(`${arg.name}: ${value}`);
      }
      let text = field.name + (args.length ? `(${args.join(', ')})` : '');
      if (aliasCount < 10 && rng.chance(0.15)) text = `a${aliasCount++}: ${text}`;
      if (rng.chance(0.1)) {
        const v = `d${n++}`;
        varDefs.push(`$${v}: Boolean!`);
        variables[v] = rng.chance(0.5);
        text += ` @${rng.pick(['skip', 'include'])}(if: $${v})`;
      } else if (rng.chance(0.05)) {
        text += ` @include(if: ${rng.chance(0.5)})`;
      }
      if (isCompositeType(named)) {
        if (depth <= 0) return null;
        const inner = selection(named, depth - 1);
        if (!inner) return null;
        text += ` { ${inner} }`;
      }
      void parent;
      return text;
    }

    function objectSelection(type: GraphQLObjectType, depth: number): string {
      const fields = Object.values(type.getFields());
      const parts: string[] = [];
      const count = rng.int(1, 3);
      for (let k = 0; k < count; k++) {
        const field = rng.pick(fields);
        // Connections and composite fields are where the cost is: favour them.
        const chosen = isCompositeType(getNamedType(field.type)) || rng.chance(0.5) ? field : rng.pick(fields);
        const text = fieldText(type, chosen, depth);
        if (!text) continue;
        const wrap = rng.int(0, 9);
        if (wrap === 0) parts.push(`... on ${type.name} { ${text} }`);
        else if (wrap === 1 && type.getInterfaces().length > 0) {
          const iface = rng.pick(type.getInterfaces());
          parts.push(`... on ${iface.name} { ... on ${type.name} { ${text} } }`);
        } else if (wrap === 2) {
          const name = `F${fragments.length}`;
          const onType = type.getInterfaces().length > 0 && rng.chance(0.5) ? rng.pick(type.getInterfaces()).name : type.name;
          fragments.push(onType === type.name ? `fragment ${name} on ${type.name} { ${text} }` : `fragment ${name} on ${onType} { ... on ${type.name} { ${text} } }`);
          parts.push(`...${name}`);
        } else parts.push(text);
      }
      return parts.length ? `__typename ${parts.join(' ')}` : '';
    }

    function selection(type: GraphQLCompositeType, depth: number): string {
      if (isAbstractType(type)) {
        const possible = schema.getPossibleTypes(type);
        const parts = possible.filter(() => rng.chance(0.6)).map((t) => `... on ${t.name} { ${objectSelection(t, depth) || '__typename'} }`);
        if (isInterfaceType(type) && rng.chance(0.3)) parts.push('id');
        return parts.length ? parts.join(' ') : '__typename';
      }
      return isObjectType(type) ? objectSelection(type, depth) || '__typename' : '__typename';
    }

    const body = selection(schema.getQueryType()!, 4);
    // A variable defined for a field that was dropped later (too deep) would fail validation.
    const text = [body, ...fragments].join('\n');
    const used = varDefs.filter((d) => new RegExp(`\\$${d.slice(1, d.indexOf(':'))}\\b`).test(text));
    for (const name of Object.keys(variables)) if (!used.some((d) => d.startsWith(`$${name}:`))) delete variables[name];
    const head = used.length ? `query Q(${used.join(', ')})` : 'query Q';
    return { query: [`${head} { ${body} }`, ...fragments].join('\n'), variables };
  };
}

/** Until the upstream's request log stops growing (two quiet ticks). */
async function settled(fixture: { log: readonly unknown[] }): Promise<void> {
  let seen = -1;
  for (let quiet = 0; quiet < 2; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    quiet = fixture.log.length === seen ? quiet + 1 : 0;
    seen = fixture.log.length;
  }
}

describe('property: actual upstream calls never exceed the plan', () => {
  it(`when ${RUNS} random queries (seed ${SEED}) run against the fixture without caches, then each makes at most its planned calls`, async ({ stack }) => {
    const rng = prng(SEED);
    const generate = generator(rng, stack);
    let executed = 0;
    let withCalls = 0;
    for (let run = 0; run < RUNS; run++) {
      const { query, variables } = generate();
      let document;
      try {
        document = parse(query);
      } catch (error) {
        throw new Error(`seed ${SEED}, run ${run}: the generator wrote an unparsable query (${String(error)})\n${query}`);
      }
      const planned = estimateUpstreamCalls(schema, document, variables);
      stack.fixture.resetLog();
      const result = await stack.client.execute(query, variables, { 'x-upstream-cost': '1' });
      // A field error that nulls a parent answers before sibling lookups end: let them land in this run, not the next.
      await settled(stack.fixture);
      const actual = stack.fixture.calls();
      const reported = (result.extensions?.cost as { calls?: number } | undefined)?.calls ?? 0;
      const context = `seed ${SEED}, run ${run}: planned ${planned}, made ${actual}\n${query}\nvariables: ${JSON.stringify(variables)}\nerrors: ${JSON.stringify(result.errors?.map((e) => e.extensions?.code))}`;
      expect(actual, context).toBeLessThanOrEqual(planned);
      expect(reported, context).toBeLessThanOrEqual(planned);
      if (result.data) executed++;
      if (actual > 0) withCalls++;
    }
    // The generator must exercise the server, not only produce refused or failing queries.
    expect(executed).toBeGreaterThan(RUNS * 0.6);
    expect(withCalls).toBeGreaterThan(RUNS * 0.3);
    // 150 real requests: on a loaded machine they take longer than the default 20 s, and a run
    // cut short keeps sending calls into the next test's request log.
  }, 90_000);

  it(`when random windows are paged on with the cursors the server gave (seed ${SEED}), then each page makes at most its planned calls`, async ({ stack }) => {
    const rng = prng(SEED + 1);
    const cat = stack.fixture.catalogue;
    const lists = [
      () => `models(nsfw: ${rng.chance(0.5)}, sort: ${rng.pick(['NEWEST', 'MOST_DOWNLOADED', 'HIGHEST_RATED'])}, FIRST)`,
      () => `models(tag: ${JSON.stringify(rng.pick(cat.tags).name)}, FIRST)`,
      () => `models(username: ${JSON.stringify(rng.pick(cat.users).username)}, nsfw: true, FIRST)`,
      () => `models(query: ${JSON.stringify(rng.pick(['a', 'xl', 'mix']))}, FIRST)`,
      () => 'creators(FIRST)',
      () => 'tags(FIRST)',
    ];
    const pages = async (field: string, window: string) => {
      const query = `{ list: ${field.replace('FIRST', window)} { edges { cursor } pageInfo { startCursor endCursor hasNextPage } } }`;
      const planned = estimateUpstreamCalls(schema, parse(query));
      stack.fixture.resetLog();
      const result = await stack.client.execute(query);
      expect(stack.fixture.calls(), `seed ${SEED}: planned ${planned}, made ${stack.fixture.calls()}\n${query}`).toBeLessThanOrEqual(planned);
      return (result.data as { list?: { pageInfo: { startCursor: string | null; endCursor: string | null } } } | null)?.list ?? null;
    };
    let continued = 0;
    for (let run = 0; run < 40; run++) {
      const field = rng.pick(lists)();
      let page = await pages(field, `first: ${rng.int(1, 60)}`);
      for (let step = 0; step < 3 && page?.pageInfo.endCursor; step++) {
        const backward = rng.chance(0.3) && page.pageInfo.startCursor;
        page = backward
          ? await pages(field, `last: ${rng.int(0, 60)}, before: ${JSON.stringify(page.pageInfo.startCursor)}`)
          : await pages(field, `first: ${rng.int(0, 60)}, after: ${JSON.stringify(page.pageInfo.endCursor)}`);
        continued++;
      }
    }
    expect(continued).toBeGreaterThan(40);
  });
});
