import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, resolveWindow, type ConnectionArgs } from '../../../src/pagination/args.js';
import { decodeCursor, encodeCursor, scopeOf, type Position } from '../../../src/pagination/cursor.js';
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

describe('cursors', () => {
  const scope = scopeOf(['models', 'q']);
  const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('when a position is encoded, then it decodes to the same position, as base64url', () => {
    const positions: Position[] = [
      { kind: 'offset', offset: 0 },
      { kind: 'offset', offset: 9, key: 'k' },
      { kind: 'anchored', offset: 41, anchor: null, index: 3, key: 7 },
      { kind: 'anchored', offset: 12, anchor: 'c:100', index: 0, key: 'key', next: 'c:120' },
    ];
    for (const position of positions) {
      const cursor = encodeCursor(scope, position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(scope, cursor)).toEqual(position);
    }
  });

  it('the wire format is version 1: o, a, d, i, n after v and s, in that order', () => {
    expect(encodeCursor(scope, { kind: 'offset', offset: 4 })).toBe(raw({ v: 1, s: scope, o: 4 }));
    expect(encodeCursor(scope, { kind: 'offset', offset: 9, key: 11 })).toBe(raw({ v: 1, s: scope, o: 9, i: 11 }));
    expect(encodeCursor(scope, { kind: 'anchored', offset: 12, anchor: 'c:100', index: 0, key: 'key', next: 'c:120' })).toBe(
      raw({ v: 1, s: scope, o: 12, a: 'c:100', d: 0, i: 'key', n: 'c:120' }),
    );
    expect(decodeCursor(scope, raw({ v: 1, s: scope, o: 41, a: null, d: 3, i: 7 }))).toEqual({ kind: 'anchored', offset: 41, anchor: null, index: 3, key: 7 });
  });

  it('scopeOf is stable and tells filters apart', () => {
    expect(scopeOf(['models', 'q'])).toBe(scope);
    expect(scopeOf(['models', 'r'])).not.toBe(scope);
    expect(scopeOf(['models', undefined, 'q'])).not.toBe(scope);
    expect(scope).toMatch(/^[0-9a-z]+$/);
  });

  it.each([
    ['empty', ''],
    ['not base64url (+ and /)', 'ab+/cd'],
    ['padded base64', `${raw({ v: 1, s: 'x', o: 0 })}=`],
    ['with a space', 'abc def'],
    ['not JSON', Buffer.from('hello world').toString('base64url')],
    ['JSON but not an object', raw(42)],
    ['null', raw(null)],
    ['an array', raw([1, scope, 0])],
    ['wrong version', raw({ v: 2, s: scope, o: 0 })],
    ['no version', raw({ s: scope, o: 0 })],
    ['no scope', raw({ v: 1, o: 0 })],
    ['no offset', raw({ v: 1, s: scope })],
    ['a negative offset', raw({ v: 1, s: scope, o: -1 })],
    ['a fractional offset', raw({ v: 1, s: scope, o: 1.5 })],
    ['a string offset', raw({ v: 1, s: scope, o: '3' })],
    ['an anchor without an index', raw({ v: 1, s: scope, o: 1, a: 'c:1' })],
    ['an index without an anchor', raw({ v: 1, s: scope, o: 1, d: 0 })],
    ['a numeric anchor', raw({ v: 1, s: scope, o: 1, a: 5, d: 0 })],
    ['a negative index', raw({ v: 1, s: scope, o: 1, a: null, d: -1 })],
    ['a numeric next cursor', raw({ v: 1, s: scope, o: 1, a: null, d: 0, n: 3 })],
    ['a next cursor without an anchor', raw({ v: 1, s: scope, o: 1, n: 'c:3' })],
    ['an object key', raw({ v: 1, s: scope, o: 1, i: { id: 1 } })],
  ])('when the cursor is %s, then PaginationInputError', (_what, cursor) => {
    expect(() => decodeCursor(scope, cursor)).toThrow(PaginationInputError);
  });

  it('when the cursor comes from another scope, then PaginationInputError that says so', () => {
    const other = encodeCursor(scopeOf(['models', 'other']), { kind: 'offset', offset: 3 });
    expect(() => decodeCursor(scope, other)).toThrow(PaginationInputError);
    expect(() => decodeCursor(scope, other)).toThrow(/different query/);
  });

  it('when the cursor is longer than the policy allows, then PaginationInputError, at the limit it is accepted', () => {
    const max = PAGINATION_POLICY.maxCursorLength;
    // Find a key length that makes the cursor exactly `max` characters long.
    let exact: string | null = null;
    for (let k = Math.floor(max * 0.65); k < max && exact === null; k++) {
      const cursor = encodeCursor(scope, { kind: 'offset', offset: 0, key: 'x'.repeat(k) });
      if (cursor.length === max) exact = cursor;
    }
    if (exact === null) throw new Error(`no ${max}-character cursor found`);
    expect(decodeCursor(scope, exact).offset).toBe(0);
    expect(() => decodeCursor(scope, `${exact}A`)).toThrow(PaginationInputError);
    expect(() => decodeCursor(scope, encodeCursor(scope, { kind: 'offset', offset: 0, key: 'x'.repeat(5000) }))).toThrow(PaginationInputError);
  });

  it('when the cursor is not a string at all, then PaginationInputError', () => {
    expect(() => decodeCursor(scope, 42 as unknown as string)).toThrow(PaginationInputError);
  });
});
