import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CURSOR_MAC_BYTES, createCursorCodec, scopeOf, type Position } from '../../../src/pagination/cursor.js';
import { PaginationInputError } from '../../../src/pagination/errors.js';
import { PAGINATION_POLICY } from '../../../src/pagination/policy.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const scope = scopeOf(['models', 'q']);
const cursors = createCursorCodec(SECRET).scoped(scope);

/** A cursor as an attacker who knows the format but not the secret would make it. */
const payloadOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signedWith = (secret: string, forScope: string, value: unknown) => {
  const payload = payloadOf(value);
  const mac = createHmac('sha256', secret).update(`civitai-graphql cursor v2\0${forScope}\0${payload}`).digest().subarray(0, CURSOR_MAC_BYTES);
  return `${payload}.${mac.toString('base64url')}`;
};
const split = (cursor: string) => {
  const [payload = '', mac = ''] = cursor.split('.');
  return { payload, mac, json: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown> };
};

const POSITIONS: Position[] = [
  { kind: 'offset', offset: 0 },
  { kind: 'offset', offset: 9, key: 'k' },
  { kind: 'anchored', offset: 41, anchor: null, index: 3, key: 7 },
  { kind: 'anchored', offset: 12, anchor: '22138|364671|25494', index: 0, key: 'key', next: '100' },
];

describe('signed cursors', () => {
  it('when a position is encoded, then it decodes to the same position, as `payload.mac` in base64url', () => {
    for (const position of POSITIONS) {
      const cursor = cursors.encode(position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
      expect(cursors.decode(cursor)).toEqual(position);
    }
  });

  it('the wire format is version 2: JSON v, s (4 characters of the scope), o, a, d, i, n, then a 128-bit HMAC-SHA256 over domain, scope and payload', () => {
    const tag = scope.slice(0, 4);
    expect(cursors.encode({ kind: 'offset', offset: 4 })).toBe(signedWith(SECRET, scope, { v: 2, s: tag, o: 4 }));
    expect(cursors.encode({ kind: 'offset', offset: 9, key: 11 })).toBe(signedWith(SECRET, scope, { v: 2, s: tag, o: 9, i: 11 }));
    expect(cursors.encode({ kind: 'anchored', offset: 12, anchor: '1|2|3', index: 0, key: 'key', next: '4|5|6' })).toBe(
      signedWith(SECRET, scope, { v: 2, s: tag, o: 12, a: '1|2|3', d: 0, i: 'key', n: '4|5|6' }),
    );
    expect(cursors.decode(signedWith(SECRET, scope, { v: 2, s: tag, o: 41, a: null, d: 3, i: 7 }))).toEqual({ kind: 'anchored', offset: 41, anchor: null, index: 3, key: 7 });
  });

  it('cursors stay short: the signature adds 23 characters; a Newest-sorted anchored cursor with a next one stays under 200', () => {
    const position: Position = { kind: 'anchored', offset: 123_456, anchor: '2024-03-10 21:35:22.332|1234567', index: 99, key: 1_234_567, next: '2024-03-10 21:30:02.100|1234568' };
    const cursor = cursors.encode(position);
    expect(cursor.length - split(cursor).payload.length).toBe(23);
    expect(cursor.length).toBeLessThan(200);
  });

  it('scopeOf is stable and tells filters apart', () => {
    expect(scopeOf(['models', 'q'])).toBe(scope);
    expect(scopeOf(['models', 'r'])).not.toBe(scope);
    expect(scopeOf(['models', undefined, 'q'])).not.toBe(scope);
    expect(scope).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('when one bit of a cursor changes anywhere, then PaginationInputError', () => {
    const cursor = cursors.encode(POSITIONS[3] as Position);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let tried = 0;
    for (let i = 0; i < cursor.length; i++) {
      if (cursor[i] === '.') continue;
      const k = alphabet.indexOf(cursor[i] as string);
      // Flip the lowest bit of the 6 this character carries (the last MAC character carries 2 real bits).
      const flipped = alphabet[k ^ (i === cursor.length - 1 ? 16 : 1)] as string;
      const tampered = cursor.slice(0, i) + flipped + cursor.slice(i + 1);
      expect(() => cursors.decode(tampered), `character ${i}`).toThrow(PaginationInputError);
      tried++;
    }
    expect(tried).toBe(cursor.length - 1);
  });

  it('when a field of the payload is changed and the old MAC kept, then PaginationInputError', () => {
    const cursor = cursors.encode({ kind: 'anchored', offset: 12, anchor: '1|2|3', index: 4, key: 9 });
    const { mac, json } = split(cursor);
    for (const change of [{ o: 200_000 }, { d: 99 }, { a: 'evil&nsfw=true' }, { n: '1|2|4' }, { i: 10 }, { s: 'zzzz' }]) {
      expect(() => cursors.decode(`${payloadOf({ ...json, ...change })}.${mac}`), JSON.stringify(change)).toThrow(PaginationInputError);
    }
  });

  it('when a cursor is unsigned (version 1, base64url JSON) or signed with a guessed format but another secret, then PaginationInputError', () => {
    const v1 = Buffer.from(JSON.stringify({ v: 1, s: 'jlvqv8', o: 200_000, i: 1 })).toString('base64url');
    expect(() => cursors.decode(v1)).toThrow(PaginationInputError);
    const other = 'another-secret-of-at-least-32-characters';
    expect(() => cursors.decode(signedWith(other, scope, { v: 2, s: scope.slice(0, 4), o: 200_000, i: 1 }))).toThrow(/not valid/);
    expect(() => cursors.decode(createCursorCodec(other).scoped(scope).encode({ kind: 'offset', offset: 3 }))).toThrow(/not valid/);
  });

  it('when two codecs share a secret, then each accepts the other’s cursors (replicas)', () => {
    const replica = createCursorCodec(SECRET).scoped(scope);
    for (const position of POSITIONS) expect(replica.decode(cursors.encode(position))).toEqual(position);
    const bytes = createCursorCodec(Buffer.from(SECRET)).scoped(scope);
    expect(bytes.decode(cursors.encode({ kind: 'offset', offset: 5 }))).toEqual({ kind: 'offset', offset: 5 });
  });

  it('when the cursor comes from another scope, then PaginationInputError that says so', () => {
    const other = createCursorCodec(SECRET).scoped(scopeOf(['models', 'other'])).encode({ kind: 'offset', offset: 3 });
    expect(() => cursors.decode(other)).toThrow(PaginationInputError);
    expect(() => cursors.decode(other)).toThrow(/different query/);
  });

  it('when a scope shares the 4-character tag but not the scope, then the MAC still refuses it', () => {
    const lookalike = `${scope.slice(0, 4)}${'A'.repeat(18)}`;
    const cursor = createCursorCodec(SECRET).scoped(lookalike).encode({ kind: 'offset', offset: 3 });
    expect(() => cursors.decode(cursor)).toThrow(/not valid/);
  });

  it('when a signed payload is out of range or malformed, then PaginationInputError (a leaked secret still cannot page past the policy)', () => {
    const tag = scope.slice(0, 4);
    const bad: Array<[string, unknown]> = [
      ['an offset past the maximum', { v: 2, s: tag, o: PAGINATION_POLICY.maxOffset + 1 }],
      ['an index past the maximum', { v: 2, s: tag, o: 1, a: null, d: PAGINATION_POLICY.maxIndex + 1 }],
      ['an empty next cursor', { v: 2, s: tag, o: 1, a: null, d: 0, n: '' }],
      ['version 1', { v: 1, s: tag, o: 0 }],
      ['no scope tag', { v: 2, o: 0 }],
      ['no offset', { v: 2, s: tag }],
      ['a negative offset', { v: 2, s: tag, o: -1 }],
      ['a fractional offset', { v: 2, s: tag, o: 1.5 }],
      ['a string offset', { v: 2, s: tag, o: '3' }],
      ['an anchor without an index', { v: 2, s: tag, o: 1, a: '1|2' }],
      ['an index without an anchor', { v: 2, s: tag, o: 1, d: 0 }],
      ['a numeric anchor', { v: 2, s: tag, o: 1, a: 5, d: 0 }],
      ['a negative index', { v: 2, s: tag, o: 1, a: null, d: -1 }],
      ['a numeric next cursor', { v: 2, s: tag, o: 1, a: null, d: 0, n: 3 }],
      ['a next cursor without an anchor', { v: 2, s: tag, o: 1, n: '1|2' }],
      ['an object key', { v: 2, s: tag, o: 1, i: { id: 1 } }],
      ['an unsafe numeric key', { v: 2, s: tag, o: 1, i: 2 ** 60 }],
      ['an array', [2, tag, 0]],
      ['null', null],
    ];
    for (const [what, value] of bad) expect(() => cursors.decode(signedWith(SECRET, scope, value)), what).toThrow(PaginationInputError);
  });

  it.each([
    ['empty', ''],
    ['no MAC', payloadOf({ v: 2, s: 'x', o: 0 })],
    ['a short MAC', `${payloadOf({ v: 2, s: 'x', o: 0 })}.AAAA`],
    ['two dots', `a.b.${'A'.repeat(22)}`],
    ['not base64url (+ and /)', `ab+/cd.${'A'.repeat(22)}`],
    ['with a space', 'abc def'],
    ['padded', `${payloadOf({ v: 2, s: 'x', o: 0 })}=.${'A'.repeat(22)}`],
  ])('when the cursor is %s, then PaginationInputError', (_what, cursor) => {
    expect(() => cursors.decode(cursor)).toThrow(PaginationInputError);
  });

  it('when the cursor is longer than the policy allows, then PaginationInputError, just under the limit it is accepted', () => {
    const max = PAGINATION_POLICY.maxCursorLength;
    const withKey = (k: number) => cursors.encode({ kind: 'offset', offset: 0, key: 'x'.repeat(k) });
    let k = 0;
    while (withKey(k + 1).length <= max) k++;
    expect(withKey(k).length).toBeGreaterThan(max - 3);
    expect(cursors.decode(withKey(k)).offset).toBe(0);
    expect(withKey(k + 1).length).toBeGreaterThan(max);
    expect(() => cursors.decode(withKey(k + 1))).toThrow(PaginationInputError);
  });

  it('when the cursor is not a string at all, then PaginationInputError', () => {
    expect(() => cursors.decode(42 as unknown as string)).toThrow(PaginationInputError);
  });

  it('when the secret is shorter than 32 bytes, then the codec refuses to start', () => {
    expect(() => createCursorCodec('short')).toThrow(RangeError);
    expect(() => createCursorCodec(new Uint8Array(31))).toThrow(RangeError);
  });
});
