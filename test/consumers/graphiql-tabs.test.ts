/**
 * GraphiQL's saved examples: the default query first, then a search, a creator with their
 * models, paging backward and `node`, each answering without errors against the fixture, and the
 * page carries them.
 */
import { describe, expect } from 'vitest';
import { graphiqlTabs } from '../../src/plugins/graphiql-tabs.js';
import { DEFAULT_QUERY } from '../../src/server.js';
import { test } from '../helpers/stack.js';

/** A server per test: no example reads what another one cached. */
const it = test;

/** Paths of the empty pages (`nodes`, `edges`) in an answer: a saved example that shows `[]` shows nothing. */
function emptyLists(value: unknown, path = 'data'): string[] {
  if (Array.isArray(value)) return value.length === 0 && /\.(nodes|edges)$/.test(path) ? [path] : value.flatMap((item, i) => emptyLists(item, `${path}.${i}`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => emptyLists(item, `${path}.${key}`));
  return [];
}

describe('GraphiQL tabs', () => {
  const tabs = graphiqlTabs(DEFAULT_QUERY);

  it('when the tabs are listed, then the default query comes first and the four examples follow', () => {
    expect(tabs.map((t) => /query (\w+)/.exec(t.query ?? '')?.[1])).toEqual(['TopModels', 'SearchModels', 'CreatorWithModels', 'CreatorsBackward', 'NodeLookup']);
  });

  it.for(tabs.map((t) => [/query (\w+)/.exec(t.query ?? '')?.[1], t.query] as const))('when %s is run as saved, then it shows data: no errors, no null root, no empty page', async ([, query], { stack }) => {
    const result = await stack.client.execute<Record<string, unknown>, never>(query ?? '');
    expect(result.errors).toBeUndefined();
    expect(Object.values(result.data ?? {}).every((value) => value !== null)).toBe(true);
    expect(emptyLists(result.data)).toEqual([]);
  });

  it('when the GraphiQL page is served, then it carries the saved tabs', async ({ stack }) => {
    const page = await (await fetch(stack.url, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('defaultTabs');
    expect(page).toContain('query CreatorWithModels');
  });
});
