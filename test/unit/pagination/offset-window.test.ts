import { describe, expect, it } from 'vitest';
import { resolveWindow, type ConnectionArgs } from '../../../src/pagination/args.js';
import { createCursorCodec, scopeOf } from '../../../src/pagination/cursor.js';
import { PaginationInputError } from '../../../src/pagination/errors.js';
import { offsetWindow, type OffsetSource } from '../../../src/pagination/offset-window.js';
import { WindowCalls } from '../../../src/pagination/bounds.js';
import { fetchRange } from '../../../src/pagination/page-plan.js';
import type { WindowResult } from '../../../src/pagination/window.js';

const CODEC = createCursorCodec('a-test-secret-of-at-least-32-characters!');
const CURSORS = CODEC.scoped(scopeOf(['creators', 'test']));
const cursorAt = (offset: number) => CURSORS.encode({ kind: 'offset', offset });

interface Fake {
  src: OffsetSource<string>;
  calls: Array<[page: number, limit: number]>;
}

/** A page-numbered upstream over `reference`; it refuses what a real one would. */
function fake(reference: readonly string[], maxLimit: number, withTotal = true, maxEnd: number | null = null): Fake {
  const calls: Array<[number, number]> = [];
  const src: OffsetSource<string> = {
    limits: { maxLimit, maxEnd },
    fetchPage: async (page, limit) => {
      calls.push([page, limit]);
      if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
        throw new Error(`bad request page=${page} limit=${limit}`);
      }
      if (maxEnd !== null && page * limit > maxEnd) throw new Error(`page ${page} × ${limit} is past ${maxEnd}`);
      return { items: reference.slice((page - 1) * limit, page * limit), total: withTotal ? reference.length : null };
    },
  };
  return { src, calls };
}

/** Fewest pages covering [start, end) over every limit (brute force, 0 for an empty range). */
function fewestPages(start: number, end: number, maxLimit: number): number {
  if (end <= start) return 0;
  let fewest = Infinity;
  for (let limit = 1; limit <= maxLimit; limit++) fewest = Math.min(fewest, Math.floor((end - 1) / limit) - Math.floor(start / limit) + 1);
  return fewest;
}

const makeReference = (n: number) => Array.from({ length: n }, (_, i) => `item-${i}`);
const nodes = <T>(r: WindowResult<T>) => r.edges.map((e) => e.node);
const run = (src: OffsetSource<string>, args: ConnectionArgs) => offsetWindow(resolveWindow(args), CURSORS, src);

/** The cursor of every item, collected by paging forward from the start with the largest window. */
async function collectCursors(reference: readonly string[], maxLimit: number): Promise<string[]> {
  const { src } = fake(reference, maxLimit);
  const cursors: string[] = [];
  let after: string | null = null;
  for (let guard = 0; guard <= reference.length; guard++) {
    const page: WindowResult<string> = await run(src, { first: 100, after });
    cursors.push(...page.edges.map((e) => e.cursor));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return cursors;
}

function expectPageInfo(result: WindowResult<string>, expected: { hasNextPage: boolean; hasPreviousPage: boolean }) {
  expect(result.pageInfo).toEqual({
    ...expected,
    startCursor: result.edges[0]?.cursor ?? null,
    endCursor: result.edges.at(-1)?.cursor ?? null,
  });
}

const SIZES = [0, 1, 5, 37, 100, 250];

describe('offsetWindow against a reference list', () => {
  for (const n of SIZES) {
    const reference = makeReference(n);

    it(`when a ${n}-item list is paged from the start, then every cursor is the item’s offset and round-trips`, async () => {
      const cursors = await collectCursors(reference, 200);
      expect(cursors).toHaveLength(n);
      cursors.forEach((cursor, o) => {
        expect(cursor).toBe(cursorAt(o));
        expect(CURSORS.decode(cursor)).toEqual({ kind: 'offset', offset: o });
      });
    });

    for (const maxLimit of [10, 200]) {
      for (const withTotal of [true, false]) {
        const label = `${n} items, maxLimit ${maxLimit}, total ${withTotal ? 'known' : 'null'}`;

        it(`when every forward window is asked (${label}), then it is the reference slice with exact pageInfo and the fewest calls`, async () => {
          const cursors = await collectCursors(reference, maxLimit);
          for (let offset = 0; offset <= n; offset++) {
            // The cursor of item offset-1; past the last item, one made by hand.
            const after = offset === 0 ? null : (cursors[offset - 1] ?? cursorAt(offset - 1));
            for (let count = 0; count <= 25; count++) {
              const { src, calls } = fake(reference, maxLimit, withTotal);
              const result = await run(src, { first: count, after });
              if (count === 0) {
                // Nothing asked, nothing fetched (the cost plan charges 0).
                expect(result.edges).toEqual([]);
                expectPageInfo(result, { hasNextPage: false, hasPreviousPage: offset > 0 });
                expect(calls).toEqual([]);
                continue;
              }
              const expected = reference.slice(offset, offset + count);
              expect(nodes(result)).toEqual(expected);
              expect(result.edges.map((e) => e.cursor)).toEqual(expected.map((_, k) => cursorAt(offset + k)));
              expectPageInfo(result, { hasNextPage: offset + count < n, hasPreviousPage: offset > 0 });
              expect(result.totalCount).toBe(withTotal ? n : null);
              // The window plus one look-ahead item, in the fewest requests any limit allows.
              expect(calls.length, `first ${count} after ${offset - 1}`).toBe(fewestPages(offset, offset + count + 1, maxLimit));
              if (count + 1 <= maxLimit && offset + count + 1 <= maxLimit) expect(calls).toHaveLength(1);
            }
          }
        });

        it(`when every backward window is asked (${label}), then it is the reference slice with exact pageInfo and the fewest calls`, async () => {
          const cursors = await collectCursors(reference, maxLimit);
          for (let end = 0; end <= n; end++) {
            const before = cursors[end] ?? cursorAt(end);
            for (let count = 0; count <= 25; count++) {
              const { src, calls } = fake(reference, maxLimit, withTotal);
              const result = await run(src, { last: count, before });
              if (count === 0) {
                expect(result.edges).toEqual([]);
                expectPageInfo(result, { hasNextPage: false, hasPreviousPage: false });
                expect(calls).toEqual([]);
                continue;
              }
              const start = Math.max(0, end - count);
              expect(nodes(result)).toEqual(reference.slice(start, end));
              expect(result.edges.map((e) => e.cursor)).toEqual(cursors.slice(start, end));
              expectPageInfo(result, { hasNextPage: true, hasPreviousPage: start > 0 });
              // No request is made for an empty window, so there is no total to report then.
              if (end > start) expect(result.totalCount).toBe(withTotal ? n : null);
              else expect([null, withTotal ? n : null]).toContain(result.totalCount);
              expect(calls.length, `last ${count} before ${end}`).toBe(fewestPages(start, end, maxLimit));
            }
          }
        });

        it(`when last comes without before (${label}), then the tail is served with a total, refused without one`, async () => {
          for (let count = 0; count <= 25; count++) {
            const { src, calls } = fake(reference, maxLimit, withTotal);
            if (count === 0) {
              expect((await run(src, { last: 0 })).edges).toEqual([]);
              expect(calls).toEqual([]);
              continue;
            }
            if (!withTotal) {
              await expect(run(src, { last: count })).rejects.toBeInstanceOf(PaginationInputError);
              expect(calls).toHaveLength(1); // the probe that found no total
              continue;
            }
            const result = await run(src, { last: count });
            const start = Math.max(0, n - count);
            expect(nodes(result)).toEqual(reference.slice(start));
            expect(result.edges.map((e) => e.cursor)).toEqual(reference.slice(start).map((_, k) => cursorAt(start + k)));
            expectPageInfo(result, { hasNextPage: false, hasPreviousPage: start > 0 });
            expect(result.totalCount).toBe(n);
            expect(calls.length).toBe(1 + fewestPages(start, n, maxLimit));
          }
        });
      }
    }
  }

  it('when cursors of one window feed the next, then paging forward and then back visits the list in order', async () => {
    const reference = makeReference(37);
    const { src } = fake(reference, 10);
    const forward: string[] = [];
    let after: string | null = null;
    let windows = 0;
    for (;;) {
      const page: WindowResult<string> = await run(src, { first: 6, after });
      windows++;
      forward.push(...nodes(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forward).toEqual(reference);
    expect(windows).toBe(7);

    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: WindowResult<string> = await run(src, { last: 5, before });
      backward.unshift(...nodes(page));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(reference);
  });

  it('when the window is one exact page, then that page is asked for and nothing more', async () => {
    const reference = makeReference(250);
    const { src, calls } = fake(reference, 200);
    // 7 items after the 12th: offsets 12..18 plus look-ahead 19 → page 2 of 10.
    const result = await run(src, { first: 7, after: cursorAt(11) });
    expect(nodes(result)).toEqual(reference.slice(12, 19));
    expect(calls).toEqual([[2, 10]]);
  });

  it('when the upstream caps numbered pages, then a window past the cap is a PaginationInputError with no call', async () => {
    const reference = makeReference(1100);
    const inside = fake(reference, 100, true, 1000);
    const ok = await run(inside.src, { first: 20, after: cursorAt(978) });
    expect(nodes(ok)).toEqual(reference.slice(979, 999));
    expect(ok.pageInfo.hasNextPage).toBe(true);
    const past = fake(reference, 100, true, 1000);
    await expect(run(past.src, { first: 20, after: cursorAt(985) })).rejects.toBeInstanceOf(PaginationInputError);
    expect(past.calls).toEqual([]);
  });

  it('when fetchRange reads past the end, then it returns what exists', async () => {
    const reference = makeReference(12);
    const { src } = fake(reference, 10);
    expect(await fetchRange(src, 8, 30, new WindowCalls(22, 10))).toEqual({ items: reference.slice(8), total: 12 });
    expect(await fetchRange(src, 12, 15, new WindowCalls(3, 10))).toEqual({ items: [], total: 12 });
    expect(await fetchRange(src, 3, 3, new WindowCalls(0, 10))).toEqual({ items: [], total: null });
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['another scope', CODEC.scoped(scopeOf(['tags', 'test'])).encode({ kind: 'offset', offset: 3 })],
    ['an unsigned (version 1) cursor', Buffer.from(JSON.stringify({ v: 1, s: 'x', o: 3 })).toString('base64url')],
    ['signed with another secret', createCursorCodec('another-secret-of-at-least-32-characters').scoped(CURSORS.scope).encode({ kind: 'offset', offset: 3 })],
    ['a truncated cursor', cursorAt(3).slice(0, -4)],
  ])('when the cursor is %s, then PaginationInputError and no call', async (_what, cursor) => {
    const { src, calls } = fake(makeReference(20), 10);
    await expect(run(src, { first: 2, after: cursor })).rejects.toBeInstanceOf(PaginationInputError);
    await expect(run(src, { last: 2, before: cursor })).rejects.toBeInstanceOf(PaginationInputError);
    expect(calls).toEqual([]);
  });
});
