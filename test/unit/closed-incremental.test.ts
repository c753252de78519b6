/**
 * The parts of an incremental answer (@defer/@stream) leave with closed errors like any other
 * answer: a graphql-js error that passed the mask without a code (a non-null violation) becomes
 * INTERNAL_SERVER_ERROR with the masked message, and undocumented extension keys are dropped.
 */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EXTENSION_KEYS, MASKED_MESSAGE } from '../../src/errors.js';
import { closeIncrementalPart } from '../../src/plugins/useClosedErrors.js';

const nonNull = new GraphQLError('Cannot return null for non-nullable field Creator.username.', { path: ['models', 'nodes', 0, 'creator', 'username'] });
const coded = new GraphQLError('Civitai did not answer in time while loading a model.', {
  path: ['models', 'nodes', 1, 'creator'],
  extensions: { code: 'UPSTREAM_TIMEOUT', http: { status: 504 }, originalError: 'body' },
});

describe('closeIncrementalPart', () => {
  it('when a later part carries incremental errors, then each gets a closed code and only documented keys', () => {
    const part = {
      hasNext: true,
      incremental: [
        { path: ['models', 'nodes', 0], data: { creator: null }, errors: [nonNull] },
        { path: ['models', 'nodes', 1], data: { creator: null }, errors: [coded] },
        { path: ['models', 'nodes', 2], data: { creator: { username: 'a' } } },
      ],
    };
    const closed = closeIncrementalPart(part);
    const errors = closed.incremental?.map((i) => (i.errors as GraphQLError[] | undefined)?.map((e) => e.toJSON()));
    expect(errors).toEqual([
      [{ message: MASKED_MESSAGE, path: ['models', 'nodes', 0, 'creator', 'username'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      [{ message: coded.message, path: ['models', 'nodes', 1, 'creator'], extensions: { code: 'UPSTREAM_TIMEOUT' } }],
      undefined,
    ]);
    expect(closed.incremental?.[2]).toBe(part.incremental[2]);
    expect(closed.hasNext).toBe(true);
  });

  it('when the first part carries errors beside its data, then they are closed as field errors (no status steering)', () => {
    const closed = closeIncrementalPart({ data: { models: { nodes: [] } }, errors: [coded], hasNext: true });
    const [error] = closed.errors as GraphQLError[];
    expect(Object.keys(error!.extensions).every((k) => (EXTENSION_KEYS as readonly string[]).includes(k))).toBe(true);
    expect(error!.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT' });
  });

  it('when a part has no errors, then it passes unchanged', () => {
    const part = { incremental: [{ path: ['models'], items: [1] }], hasNext: false };
    expect(closeIncrementalPart(part)).toEqual(part);
  });
});
