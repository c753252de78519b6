import { expect } from 'vitest';
import { codes } from '../helpers/execute.js';
import { test } from '../helpers/stack.js';

test.for([
  [401, 'UNAUTHENTICATED'],
  [403, 'FORBIDDEN'],
] as const)('when Civitai answers %i to a key, then that field fails alone with %s', async ([status, code], { stack }) => {
  for (const route of ['models', 'model'] as const) stack.fixture.inject({ route, fault: { kind: 'status', status }, times: Infinity });
  const result = await stack.client.execute('{ model(id: 64) { name } tags(first: 1) { nodes { name } } }', {}, { authorization: 'Bearer some-key' });
  expect((result.data as { model: unknown }).model).toBeNull();
  expect((result.data as { tags: { nodes: unknown[] } }).tags.nodes).toHaveLength(1);
  expect(codes(result)).toEqual([code]);
  expect(stack.fixture.calls('models') + stack.fixture.calls('model')).toBe(1);
});
