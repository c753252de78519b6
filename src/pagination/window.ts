/** The shape every connection resolves to, and the step that turns positioned items into it. */
import type { RelayWindow } from './args.js';
import type { Position, ScopedCursors } from './cursor.js';

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface WindowResult<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
  /** Exact when the upstream reports it, otherwise null: never a guess. */
  totalCount: number | null;
}

export interface Positioned<T> {
  node: T;
  position: Position;
}

export function toWindowResult<T>(
  cursors: ScopedCursors,
  entries: ReadonlyArray<Positioned<T>>,
  flags: { hasNextPage: boolean; hasPreviousPage: boolean; totalCount: number | null },
): WindowResult<T> {
  const edges = entries.map((e) => ({ cursor: cursors.encode(e.position), node: e.node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: flags.hasNextPage,
      hasPreviousPage: flags.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: flags.totalCount,
  };
}

/**
 * `first: 0` / `last: 0` asks for nothing, so nothing is fetched (the cost plan charges it 0):
 * no edges, no total, `hasNextPage` false. A cursor given with it is still checked.
 */
export function emptyWindow<T>(window: RelayWindow, cursors: ScopedCursors): WindowResult<T> {
  const cursor = window.direction === 'forward' ? window.after : window.before;
  if (cursor !== null) cursors.decode(cursor);
  return toWindowResult<T>(cursors, [], { hasNextPage: false, hasPreviousPage: window.direction === 'forward' && cursor !== null, totalCount: null });
}
