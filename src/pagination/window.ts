/** The shape every connection resolves to, and the step that turns positioned items into it. */
import { encodeCursor, type Position } from './cursor.js';

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
  scope: string,
  entries: ReadonlyArray<Positioned<T>>,
  flags: { hasNextPage: boolean; hasPreviousPage: boolean; totalCount: number | null },
): WindowResult<T> {
  const edges = entries.map((e) => ({ cursor: encodeCursor(scope, e.position), node: e.node }));
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
