import { describe, expect, it } from 'vitest';
import { resolveWindow, type ConnectionArgs } from '../../../src/pagination/args.js';
import { maxCallsForWindow } from '../../../src/pagination/bounds.js';
import { createCursorCodec, scopeOf, type Position } from '../../../src/pagination/cursor.js';
import { PaginationInputError } from '../../../src/pagination/errors.js';
import { offsetWindow, type OffsetSource } from '../../../src/pagination/offset-window.js';
import { streamWindow, type StreamAnswer, type StreamSource } from '../../../src/pagination/stream-window.js';
import { prng, type Prng } from '../../../fixture/prng.js';

/**
 * Whatever a cursor says, one window makes at most maxCallsForWindow(size, maxLimit) upstream
 * calls. The cursors here are signed with the windows' own secret (as if it had leaked, or as if
 * our own code issued a strange position), so only the bound stands between them and the upstream.
 */

const CURSORS = createCursorCodec('a-test-secret-of-at-least-32-characters!').scoped(scopeOf(['bounds']));

/** Deterministic PRNG (mulberry32): a failure names its seed and repeats. */
type Random = Prng;

const MAX_LIMIT = 100;

/**
 * A cursor upstream over `rows` rows where `hidden(i)` rows are dropped after the limit (short
 * and empty pages), numbered pages capped like the live API or not at all, cursors `c:<row>`.
 */
function streamUpstream(rows: number, hidden: (i: number) => boolean, mode: 'live' | 'search' | '2022') {
  let calls = 0;
  const answer = (start: number, limit: number, cursors: boolean): StreamAnswer<number> => {
    const end = Math.min(rows, start + limit);
    const items: number[] = [];
    for (let i = start; i < end; i++) if (!hidden(i)) items.push(i);
    const more = end < rows;
    return { items, nextCursor: cursors && more ? `c:${end}` : undefined, more, total: mode === '2022' ? rows : null };
  };
  const src: StreamSource<number> = {
    maxLimit: MAX_LIMIT,
    fetchFrom: async (cursor, limit) => {
      calls++;
      // The 2022 API has no cursors: it ignores the parameter and answers from the start.
      return answer(cursor === null || mode === '2022' ? 0 : Number(cursor.slice(2)), limit, mode !== '2022');
    },
    pages:
      mode === 'search'
        ? null
        : {
            limits: { maxLimit: MAX_LIMIT, preferredEnd: 1000 },
            fetchPage: async (page, limit) => {
              calls++;
              if (mode === 'live' && page * limit > 1000) throw new PaginationInputError('past the page-mode end');
              return answer((page - 1) * limit, limit, mode !== '2022');
            },
          },
    keyOf: (id) => id,
  };
  return { src, calls: () => calls };
}

function offsetUpstream(rows: number, maxLimit: number, maxEnd: number | null, withTotal: boolean) {
  let calls = 0;
  const src: OffsetSource<number> = {
    limits: { maxLimit, maxEnd },
    fetchPage: async (page, limit) => {
      calls++;
      const start = (page - 1) * limit;
      const items = Array.from({ length: Math.max(0, Math.min(rows, start + limit) - start) }, (_, k) => start + k);
      return { items, total: withTotal ? rows : null };
    },
  };
  return { src, calls: () => calls };
}

/** Any position a cursor could name: small, deep, huge, anchored anywhere, keyed or not. */
function anyPosition(r: Random): Position {
  const offset = r.pick([0, 1, r.int(0, 50), r.int(0, 2000), r.int(0, 200_000), 10_000_000]);
  const key = r.pick([undefined, r.int(0, 3000), offset, 'k']);
  if (r.next() < 0.4) return { kind: 'offset', offset, key };
  const cursor = () => r.pick([`c:${r.int(0, 3000)}`, `c:${r.int(0, 1_000_000)}`, 'evil&nsfw=true', '1|2|3']);
  return {
    kind: 'anchored',
    offset,
    anchor: r.next() < 0.3 ? null : cursor(),
    index: r.pick([0, r.int(0, 99), r.int(0, 1000)]),
    key,
    next: r.next() < 0.5 ? undefined : cursor(),
  };
}

function anyArgs(r: Random, cursor: string | null): ConnectionArgs {
  const size = r.pick([1, 2, 7, 20, 50, 99, 100, r.int(1, 100)]);
  if (r.next() < 0.5) return { first: size, after: cursor };
  return { last: size, before: r.next() < 0.1 ? null : cursor };
}

const HIDDEN: Array<[string, (i: number) => boolean]> = [
  ['none hidden', () => false],
  ['every 9th hidden', (i) => i % 9 === 3],
  ['long hidden runs', (i) => i % 700 >= 40 && i % 700 < 500],
  ['almost all hidden', (i) => i % 331 !== 0],
];

/** Runs one window and returns the calls it made, whether it answered or refused. */
async function callsOf(run: () => Promise<unknown>, calls: () => number): Promise<{ calls: number; outcome: 'served' | 'refused' }> {
  const before = calls();
  try {
    await run();
    return { calls: calls() - before, outcome: 'served' };
  } catch (error) {
    // Only refusals: a crash of the window code would fail here.
    expect(error).toBeInstanceOf(PaginationInputError);
    return { calls: calls() - before, outcome: 'refused' };
  }
}

describe('a window never makes more upstream calls than maxCallsForWindow, whatever its cursor says', () => {
  for (const mode of ['live', 'search', '2022'] as const) {
    for (const [name, hidden] of HIDDEN) {
      it(`when 300 random signed positions page a ${mode} cursor upstream (${name}), then every window stays within its bound`, async () => {
        const r = prng(mode.length * 1000 + name.length);
        const up = streamUpstream(r.pick([0, 5, 250, 3000, 2_000_000]), hidden, mode);
        const outcomes = { served: 0, refused: 0 };
        for (let n = 0; n < 300; n++) {
          const args = anyArgs(r, CURSORS.encode(anyPosition(r)));
          const window = resolveWindow(args);
          const result = await callsOf(() => streamWindow(window, CURSORS, up.src), up.calls);
          expect(result.calls, JSON.stringify(args)).toBeLessThanOrEqual(maxCallsForWindow(window.count, MAX_LIMIT));
          outcomes[result.outcome]++;
        }
        expect(outcomes.served + outcomes.refused).toBe(300);
      });
    }
  }

  it('when an upstream answers empty pages with a next cursor forever, then a forward window stops at its bound and refuses', async () => {
    let calls = 0;
    const src: StreamSource<number> = {
      maxLimit: MAX_LIMIT,
      fetchFrom: async (cursor) => {
        calls++;
        return { items: [], nextCursor: `c:${Number(cursor?.slice(2) ?? 0) + 1}`, more: true, total: null };
      },
      pages: null,
      keyOf: (id) => id,
    };
    for (const size of [1, 20, 100]) {
      calls = 0;
      await expect(streamWindow(resolveWindow({ first: size }), CURSORS, src)).rejects.toThrow(/without an item/);
      expect(calls).toBe(maxCallsForWindow(size, MAX_LIMIT));
    }
  });

  it('when a forward walk meets a long run of dropped rows after some items, then it answers what it has, hasNextPage true, and its end cursor continues past the run', async () => {
    // Rows 0..4 visible, 5..204 hidden, 205.. visible.
    const up = streamUpstream(1000, (i) => i >= 5 && i < 205, 'search');
    const first = await streamWindow(resolveWindow({ first: 20 }), CURSORS, up.src);
    expect(first.edges.map((e) => e.node)).toEqual([0, 1, 2, 3, 4]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(up.calls()).toBe(maxCallsForWindow(20, MAX_LIMIT));
    const next = await streamWindow(resolveWindow({ first: 3, after: first.pageInfo.endCursor }), CURSORS, up.src);
    expect(next.edges.map((e) => e.node)).toEqual([205, 206, 207]);
  });

  for (const maxLimit of [10, 200]) {
    for (const maxEnd of [null, 1000]) {
      it(`when 400 random signed positions page a numbered upstream (maxLimit ${maxLimit}, page-mode end ${maxEnd}), then every window stays within its bound`, async () => {
        const r = prng(maxLimit + (maxEnd ?? 7));
        const up = offsetUpstream(r.pick([0, 37, 5000]), maxLimit, maxEnd, r.next() < 0.5);
        for (let n = 0; n < 400; n++) {
          const args = anyArgs(r, CURSORS.encode(anyPosition(r)));
          const window = resolveWindow(args);
          const result = await callsOf(() => offsetWindow(window, CURSORS, up.src), up.calls);
          expect(result.calls, JSON.stringify(args)).toBeLessThanOrEqual(maxCallsForWindow(window.count, maxLimit));
        }
      });
    }
  }

  it('when a signed cursor is keyed far past the page-mode end (the issue’s o=200000), then the live window makes at most its bound, not hundreds', async () => {
    const up = streamUpstream(2_000_000, () => false, '2022');
    for (const offset of [200_000, 1_000_000]) {
      const before = up.calls();
      const cursor = CURSORS.encode({ kind: 'offset', offset, key: 1 });
      await expect(streamWindow(resolveWindow({ first: 1, after: cursor }), CURSORS, up.src)).rejects.toBeInstanceOf(PaginationInputError);
      expect(up.calls() - before).toBeLessThanOrEqual(maxCallsForWindow(1, MAX_LIMIT));
    }
  });

  it('when an anchored cursor names an index past the upstream’s page size, then it is refused before any call', async () => {
    const up = streamUpstream(3000, () => false, 'live');
    const bad: Position[] = [{ kind: 'anchored', offset: 5, anchor: 'c:100', index: MAX_LIMIT, key: 1 }];
    for (const position of bad) {
      for (const args of [{ first: 5, after: CURSORS.encode(position) }, { last: 5, before: CURSORS.encode(position) }]) {
        await expect(streamWindow(resolveWindow(args), CURSORS, up.src)).rejects.toBeInstanceOf(PaginationInputError);
      }
    }
    expect(up.calls()).toBe(0);
  });
});
