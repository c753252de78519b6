/** A pagination request the upstream cannot serve or that is malformed: the caller's to fix. */
export class PaginationInputError extends Error {
  override readonly name = 'PaginationInputError';
}
