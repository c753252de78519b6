import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, resolveWindow, type ConnectionArgs } from '../../../src/pagination/args.js';
import { PaginationInputError } from '../../../src/pagination/errors.js';
import { PAGINATION_POLICY } from '../../../src/pagination/policy.js';

describe('resolveWindow', () => {
  it('when nothing is given, then 20 forward from the start', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(PAGINATION_POLICY.defaultPageSize);
    expect(MAX_PAGE_SIZE).toBe(PAGINATION_POLICY.maxPageSize);
    expect(resolveWindow({})).toEqual({ direction: 'forward', count: DEFAULT_PAGE_SIZE, after: null });
    expect(resolveWindow({ first: null, after: null, last: null, before: null })).toEqual({ direction: 'forward', count: DEFAULT_PAGE_SIZE, after: null });
  });

  it('when only a cursor is given, then the default count in its direction', () => {
    expect(resolveWindow({ after: 'a' })).toEqual({ direction: 'forward', count: DEFAULT_PAGE_SIZE, after: 'a' });
    expect(resolveWindow({ before: 'b' })).toEqual({ direction: 'backward', count: DEFAULT_PAGE_SIZE, before: 'b' });
  });

  it.each([
    [{ first: 0 }, { direction: 'forward', count: 0, after: null }],
    [{ first: 1 }, { direction: 'forward', count: 1, after: null }],
    [{ first: MAX_PAGE_SIZE }, { direction: 'forward', count: MAX_PAGE_SIZE, after: null }],
    [{ first: 7, after: 'x' }, { direction: 'forward', count: 7, after: 'x' }],
    [{ last: 0 }, { direction: 'backward', count: 0, before: null }],
    [{ last: MAX_PAGE_SIZE }, { direction: 'backward', count: MAX_PAGE_SIZE, before: null }],
    [{ last: 5, before: 'y' }, { direction: 'backward', count: 5, before: 'y' }],
    [{ first: 3, last: null, before: null }, { direction: 'forward', count: 3, after: null }],
  ] as Array<[ConnectionArgs, unknown]>)('when the arguments are %j, then %j', (args, expected) => {
    expect(resolveWindow(args)).toEqual(expected);
  });

  it.each([
    ['first negative', { first: -1 }],
    ['first past the max', { first: MAX_PAGE_SIZE + 1 }],
    ['first huge', { first: 1e12 }],
    ['first not an integer', { first: 2.5 }],
    ['first NaN', { first: Number.NaN }],
    ['first Infinity', { first: Number.POSITIVE_INFINITY }],
    ['last negative', { last: -3 }],
    ['last past the max', { last: MAX_PAGE_SIZE + 1 }],
    ['last not an integer', { last: 0.1 }],
    ['last huge', { last: Number.MAX_SAFE_INTEGER }],
    ['first and last', { first: 1, last: 1 }],
    ['first and before', { first: 1, before: 'x' }],
    ['last and after', { last: 1, after: 'x' }],
    ['after and before', { after: 'x', before: 'y' }],
    ['everything', { first: 1, after: 'x', last: 1, before: 'y' }],
  ] as Array<[string, ConnectionArgs]>)('when %s, then PaginationInputError', (_what, args) => {
    expect(() => resolveWindow(args)).toThrow(PaginationInputError);
  });

  it('the error is an Error named PaginationInputError', () => {
    try {
      resolveWindow({ first: -1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('PaginationInputError');
      expect((error as Error).message).toContain('first');
    }
  });
});
