import { describe, expect, it } from 'vitest';
import { resolveWindow } from '../../../src/pagination/args.js';
import { encodeCursor, scopeOf } from '../../../src/pagination/cursor.js';
import { PaginationInputError } from '../../../src/pagination/errors.js';
import { streamWindow, type StreamAnswer, type StreamSource } from '../../../src/pagination/stream-window.js';

const SCOPE = scopeOf(['models']);

interface Row { id: number; hidden: boolean }

/**
 * A cursor upstream like the live /models: `limit` rows from the cursor row (inclusive), the
 * next row as the next cursor, hidden rows dropped after the limit (short pages); numbered
 * pages over rows, refused past 1000 rows.
 */
function upstream(rows: readonly Row[], options: { pages?: boolean } = {}) {
  let calls = 0;
  const answer = (start: number, limit: number): StreamAnswer<number> => {
    const slice = rows.slice(start, start + limit);
    const next = rows[start + limit];
    return { items: slice.filter((r) => !r.hidden).map((r) => r.id), nextCursor: next ? `c:${start + limit}` : undefined, more: !!next, total: null };
  };
  const src: StreamSource<number> = {
    maxLimit: 100,
    fetchFrom: async (cursor, limit) => {
      calls++;
      return answer(cursor === null ? 0 : Number(cursor.slice(2)), limit);
    },
    pages:
      options.pages === false
        ? null
        : {
            limits: { maxLimit: 100, preferredEnd: 1000 },
            fetchPage: async (page, limit) => {
              calls++;
              if (page * limit > 1000) throw new Error('429 too many pages');
              return answer((page - 1) * limit, limit);
            },
          },
    keyOf: (id) => id,
  };
  return { src, calls: () => calls, reset: () => (calls = 0) };
}

const rows = (n: number, hiddenEvery: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: 10_000 + i, hidden: hiddenEvery > 0 && i % hiddenEvery === 3 }));
const visible = (list: Row[]) => list.filter((r) => !r.hidden).map((r) => r.id);
const nodes = (r: { edges: Array<{ node: number }> }) => r.edges.map((e) => e.node);

describe('streamWindow over a cursor upstream with short pages', () => {
  for (const [n, hiddenEvery] of [[250, 0], [250, 17], [431, 9]] as const) {
    for (const size of [1, 7, 20, 100]) {
      it(`when ${n} rows (every ${hiddenEvery || 'no'}th hidden) are walked ${size} at a time, then each visible item comes once, in order`, async () => {
        const list = rows(n, hiddenEvery);
        const up = upstream(list);
        const seen: number[] = [];
        let after: string | null = null;
        let windows = 0;
        for (let guard = 0; guard < 2000; guard++) {
          windows++;
          const page: Awaited<ReturnType<typeof streamWindow<number>>> = await streamWindow(resolveWindow({ first: size, after }), SCOPE, up.src);
          seen.push(...nodes(page));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor;
        }
        expect(seen).toEqual(visible(list));
        // Mostly one call per window; a second when a window straddles the 100-row cap or a short page.
        expect(up.calls() / windows).toBeLessThanOrEqual(hiddenEvery ? 2 : 1.3);
      });
    }
  }

  it('when 7 items are asked after the 12th of a 20-item window, then one call serves them', async () => {
    const list = rows(300, 0);
    const up = upstream(list);
    const first = await streamWindow(resolveWindow({ first: 20 }), SCOPE, up.src);
    up.reset();
    const next = await streamWindow(resolveWindow({ first: 7, after: first.edges[11]?.cursor }), SCOPE, up.src);
    expect(nodes(next)).toEqual(visible(list).slice(12, 19));
    expect(up.calls()).toBe(1);
  });

  it('when paging backward from windows reached forward, then anchors or numbered pages give the right items', async () => {
    const list = rows(700, 11);
    const ref = visible(list);
    const up = upstream(list);
    const windows = [];
    let after: string | null = null;
    for (let k = 0; k < 8; k++) {
      const page: Awaited<ReturnType<typeof streamWindow<number>>> = await streamWindow(resolveWindow({ first: 50, after }), SCOPE, up.src);
      windows.push(page);
      after = page.pageInfo.endCursor;
    }
    for (const [k, page] of windows.entries()) {
      for (const count of [1, 10, 50]) {
        const back = await streamWindow(resolveWindow({ last: count, before: page.pageInfo.startCursor }), SCOPE, up.src);
        expect(nodes(back)).toEqual(ref.slice(Math.max(0, k * 50 - count), k * 50));
        expect(back.pageInfo.hasPreviousPage).toBe(k * 50 - count > 0);
      }
      const within = await streamWindow(resolveWindow({ last: 5, before: page.edges[30]?.cursor }), SCOPE, up.src);
      expect(nodes(within)).toEqual(ref.slice(k * 50 + 25, k * 50 + 30));
    }
  });

  it('when the upstream cannot page by number (search), then backward past the anchor is refused', async () => {
    const up = upstream(rows(300, 0), { pages: false });
    const one = await streamWindow(resolveWindow({ first: 20 }), SCOPE, up.src);
    const within = await streamWindow(resolveWindow({ last: 5, before: one.edges[10]?.cursor }), SCOPE, up.src);
    expect(nodes(within)).toEqual(nodes(one).slice(5, 10));
    // An edge 2 items into a response that started at upstream cursor c:150.
    const deep = encodeCursor(SCOPE, { o: 152, a: 'c:150', d: 2, i: 10_152 });
    await expect(streamWindow(resolveWindow({ last: 5, before: deep }), SCOPE, up.src)).rejects.toBeInstanceOf(PaginationInputError);
    await expect(streamWindow(resolveWindow({ last: 5 }), SCOPE, up.src)).rejects.toBeInstanceOf(PaginationInputError);
  });

  it('when the upstream pages by number with totals and no cursors (2022), then forward and backward match the reference', async () => {
    const ref = Array.from({ length: 1234 }, (_, i) => i + 1);
    const page = (start: number, limit: number): StreamAnswer<number> => ({ items: ref.slice(start, start + limit), nextCursor: undefined, more: start + limit < ref.length, total: ref.length });
    const src: StreamSource<number> = {
      maxLimit: 100,
      fetchFrom: async (cursor, limit) => page(0, limit),
      pages: { limits: { maxLimit: 100, preferredEnd: 1000 }, fetchPage: async (p, limit) => page((p - 1) * limit, limit) },
      keyOf: (id) => id,
    };
    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const w: Awaited<ReturnType<typeof streamWindow<number>>> = await streamWindow(resolveWindow({ first: 90, after }), SCOPE, src);
      expect(w.totalCount).toBe(1234);
      seen.push(...nodes(w));
      if (!w.pageInfo.hasNextPage) break;
      after = w.pageInfo.endCursor;
    }
    expect(seen).toEqual(ref);
    const tail = await streamWindow(resolveWindow({ last: 4 }), SCOPE, src);
    expect(nodes(tail)).toEqual([1231, 1232, 1233, 1234]);
    const before = await streamWindow(resolveWindow({ last: 3, before: tail.pageInfo.startCursor }), SCOPE, src);
    expect(nodes(before)).toEqual([1228, 1229, 1230]);
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['another scope', encodeCursor('other', { o: 3, a: null, d: 3 })],
    ['a tampered shape', Buffer.from(JSON.stringify({ v: 1, s: SCOPE, o: -1 })).toString('base64url')],
    ['an anchor without an index', Buffer.from(JSON.stringify({ v: 1, s: SCOPE, o: 1, a: 'x' })).toString('base64url')],
  ])('when the cursor is %s, then PaginationInputError', async (_what, cursor) => {
    const up = upstream(rows(10, 0));
    await expect(streamWindow(resolveWindow({ first: 2, after: cursor }), SCOPE, up.src)).rejects.toBeInstanceOf(PaginationInputError);
    expect(up.calls()).toBe(0);
  });
});

describe('resolveWindow', () => {
  it('when nothing is given, then 20 forward; `before` alone pages backward', () => {
    expect(resolveWindow({})).toEqual({ direction: 'forward', count: 20, after: null });
    expect(resolveWindow({ before: 'x' })).toEqual({ direction: 'backward', count: 20, before: 'x' });
  });

  it.each([
    [{ first: -1 }],
    [{ first: 101 }],
    [{ first: 2.5 }],
    [{ last: -3 }],
    [{ first: 1, last: 1 }],
    [{ first: 1, before: 'x' }],
    [{ last: 1, after: 'x' }],
    [{ after: 'x', before: 'y' }],
  ])('when the arguments are %j, then PaginationInputError', (args) => {
    expect(() => resolveWindow(args)).toThrow(PaginationInputError);
  });
});
