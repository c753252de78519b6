/**
 * The creator lookups of a models page start as soon as the list answer arrives
 * (src/schema/prime.ts), and only the ones the selection makes anyway: the same calls as before,
 * and the same answers.
 */
import { describe, expect } from 'vitest';
import { test } from '../helpers/stack.js';

const DEEP = `query ($first: Int!, $withCount: Boolean!) {
  models(first: $first) { nodes { id creator { username modelCount @include(if: $withCount) } } }
}`;

type Page = { models: { nodes: Array<{ id: string; creator: { username: string; modelCount?: number | null } | null }> } };

describe('creator lookups started from the list answer', () => {
  test.override({ stackOptions: { env: { CACHE_MAX_BYTES: '0' } } });

  test('when a page asks for creator counts, then each distinct creator is looked up once, after the list call, and each count answers', async ({ stack }) => {
    const result = await stack.client.execute(DEEP, { first: 30, withCount: true });
    expect(result.errors).toBeUndefined();
    const nodes = (result.data as Page).models.nodes;
    const creators = new Set(nodes.flatMap((n) => (n.creator ? [n.creator.username] : [])));
    expect(creators.size).toBeGreaterThan(1);
    expect(stack.fixture.calls('creators')).toBe(creators.size);
    expect(stack.fixture.calls('models')).toBe(1);
    for (const node of nodes) if (node.creator) expect(node.creator).toHaveProperty('modelCount');
    // Every creator call left after the list call, all of them before any answer was written.
    const log = stack.fixture.log;
    const listAt = log.find((e) => e.route === 'models')?.at ?? Infinity;
    expect(log.filter((e) => e.route === 'creators').every((e) => e.at >= listAt)).toBe(true);
  });

  test('when the counts are skipped by @include(if: false), or only usernames are asked, then no creator is looked up', async ({ stack }) => {
    const skipped = await stack.client.execute(DEEP, { first: 30, withCount: false });
    expect(skipped.errors).toBeUndefined();
    const names = await stack.client.execute('{ models(first: 30) { edges { node { creator { username } } } } }');
    expect(names.errors).toBeUndefined();
    expect(stack.fixture.calls('creators')).toBe(0);
  });

  test('when counts are asked through edges and a fragment, then they are looked up too, once per creator', async ({ stack }) => {
    const result = await stack.client.execute(
      'fragment C on Creator { modelCount } { models(first: 20) { edges { node { creator { ...C } } } nodes { creator { username } } } }',
    );
    expect(result.errors).toBeUndefined();
    const nodes = (result.data as { models: { nodes: Array<{ creator: { username: string } | null }> } }).models.nodes;
    expect(stack.fixture.calls('creators')).toBe(new Set(nodes.flatMap((n) => (n.creator ? [n.creator.username] : []))).size);
  });

  test('when the creator lookups fail upstream, then the counts are null with the upstream error, and the page still answers', async ({ stack }) => {
    stack.fixture.inject({ route: 'creators', fault: { kind: 'status', status: 500 }, times: 1000 });
    const result = await stack.client.execute(DEEP, { first: 5, withCount: true });
    const nodes = (result.data as Page).models.nodes;
    expect(nodes.length).toBe(5);
    const withCreator = nodes.filter((n) => n.creator !== null);
    expect(withCreator.length).toBeGreaterThan(0);
    for (const node of withCreator) expect(node.creator?.modelCount).toBeNull();
    expect(result.errors?.length).toBe(withCreator.length);
    expect(new Set(result.errors?.map((e) => e.extensions?.['code']))).toEqual(new Set(['UPSTREAM_UNAVAILABLE']));
  });
});
