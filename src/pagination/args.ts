/**
 * Relay connection arguments → a validated window. Pure; throws PaginationInputError before any
 * upstream call for anything a client must fix.
 */
import { PaginationInputError } from './errors.js';
import { PAGINATION_POLICY } from './policy.js';

export const DEFAULT_PAGE_SIZE = PAGINATION_POLICY.defaultPageSize;
export const MAX_PAGE_SIZE = PAGINATION_POLICY.maxPageSize;

export interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

export type RelayWindow =
  | { readonly direction: 'forward'; readonly count: number; readonly after: string | null }
  | { readonly direction: 'backward'; readonly count: number; readonly before: string | null };

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new PaginationInputError(`\`${name}\` must be a non-negative integer, got ${value}.`);
  if (value > MAX_PAGE_SIZE) throw new PaginationInputError(`\`${name}\` can be at most ${MAX_PAGE_SIZE}, got ${value}.`);
  return value;
}

export function resolveWindow(args: ConnectionArgs): RelayWindow {
  const { first, after, last, before } = args;
  if (first != null && last != null) {
    throw new PaginationInputError('Use either `first` (with `after`) or `last` (with `before`), not both.');
  }
  if (first != null && before != null) throw new PaginationInputError('`before` goes with `last`; `first` pages forward with `after`.');
  if (last != null && after != null) throw new PaginationInputError('`after` goes with `first`; `last` pages backward with `before`.');
  if (after != null && before != null) throw new PaginationInputError('Use either `after` or `before`, not both.');
  if (last != null || before != null) {
    return { direction: 'backward', count: checkCount('last', last ?? DEFAULT_PAGE_SIZE), before: before ?? null };
  }
  return { direction: 'forward', count: checkCount('first', first ?? DEFAULT_PAGE_SIZE), after: after ?? null };
}
