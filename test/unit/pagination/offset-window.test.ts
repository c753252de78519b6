import { describe, expect, it } from 'vitest';
import { resolveWindow } from '../../../src/pagination/args.js';
import { encodeCursor } from '../../../src/pagination/cursor.js';
import { PaginationInputError } from '../../../src/pagination/errors.js';
import { offsetWindow, type OffsetSource } from '../../../src/pagination/offset-window.js';

const SCOPE = 'test';

function source(reference: readonly number[], maxLimit: number, withTotal = true) {
  const calls: Array<[number, number]> = [];
  const src: OffsetSource<number> = {
    limits: { maxLimit, maxEnd: null },
    fetchPage: async (page, limit) => {
      calls.push([page, limit]);
      return { items: reference.slice((page - 1) * limit, page * limit), total: withTotal ? reference.length : null };
    },
  };
  return { src, calls };
}

const nodes = (r: { edges: Array<{ node: number }> }) => r.edges.map((e) => e.node);

describe('offsetWindow against a reference slice', () => {
  for (const n of [0, 1, 5, 37, 100]) {
    for (const maxLimit of [10, 200]) {
      it(`when every forward window of a ${n}-item list is asked (maxLimit ${maxLimit}), then it equals the reference slice`, async () => {
        const reference = Array.from({ length: n }, (_, i) => 1000 + i);
        for (let offset = 0; offset <= n; offset++) {
          for (let count = 0; count <= 25; count++) {
            const { src, calls } = source(reference, maxLimit);
            const after = offset === 0 ? null : encodeCursor(SCOPE, { o: offset - 1 });
            const result = await offsetWindow(resolveWindow({ first: count, after }), SCOPE, src);
            expect(nodes(result)).toEqual(reference.slice(offset, offset + count));
            expect(result.pageInfo.hasNextPage).toBe(offset + count < n);
            expect(result.pageInfo.hasPreviousPage).toBe(offset > 0);
            expect(result.totalCount).toBe(n);
            // The window plus one look-ahead fits one request whenever one page can hold it.
            if (count + 1 <= maxLimit && offset + count + 1 <= maxLimit) expect(calls).toHaveLength(1);
          }
        }
      });

      it(`when every backward window of a ${n}-item list is asked (maxLimit ${maxLimit}), then it equals the reference slice`, async () => {
        const reference = Array.from({ length: n }, (_, i) => 1000 + i);
        for (let end = 0; end <= n; end++) {
          for (let count = 0; count <= 25; count++) {
            const { src } = source(reference, maxLimit);
            const before = encodeCursor(SCOPE, { o: end });
            const result = await offsetWindow(resolveWindow({ last: count, before }), SCOPE, src);
            expect(nodes(result)).toEqual(reference.slice(Math.max(0, end - count), end));
            expect(result.pageInfo.hasPreviousPage).toBe(end - count > 0);
            expect(result.pageInfo.hasNextPage).toBe(true);
          }
        }
      });
    }
  }

  it('when cursors of one window feed the next, then paging forward and back visits the list in order', async () => {
    const reference = Array.from({ length: 37 }, (_, i) => i);
    const { src } = source(reference, 10);
    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof offsetWindow<number>>> = await offsetWindow(resolveWindow({ first: 6, after }), SCOPE, src);
      seen.push(...nodes(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(reference);
    const back = await offsetWindow(resolveWindow({ last: 4, before: after }), SCOPE, src);
    expect(nodes(back)).toEqual(reference.slice(31, 35)); // `after` is now the cursor of item 35
  });

  it('when last comes without before, then the tail is served with a total and refused without one', async () => {
    const reference = Array.from({ length: 23 }, (_, i) => i);
    const tail = await offsetWindow(resolveWindow({ last: 5 }), SCOPE, source(reference, 10).src);
    expect(nodes(tail)).toEqual([18, 19, 20, 21, 22]);
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    await expect(offsetWindow(resolveWindow({ last: 5 }), SCOPE, source(reference, 10, false).src)).rejects.toBeInstanceOf(PaginationInputError);
  });

  it('when the total is not reported, then totalCount is null and hasNextPage still comes from the look-ahead', async () => {
    const reference = Array.from({ length: 12 }, (_, i) => i);
    const result = await offsetWindow(resolveWindow({ first: 12 }), SCOPE, source(reference, 200, false).src);
    expect(result.totalCount).toBeNull();
    expect(result.pageInfo.hasNextPage).toBe(false);
  });
});
