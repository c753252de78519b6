/** The model-list arguments that `Query.models`, `Creator.models` and `Tag.models` share, and the filters they make. */
import { builder } from './builder.js';
import type { ModelFilters } from './connection.js';
import { ModelSortEnum, ModelTypeEnum, PeriodEnum } from './enums.js';
import * as valid from './validate.js';

export const modelListArgs = builder.args((t) => ({
  types: t.field({ type: [ModelTypeEnum], description: 'Only models of these kinds.' }),
  sort: t.field({ type: ModelSortEnum, description: 'The order (default HIGHEST_RATED).' }),
  period: t.field({ type: PeriodEnum, description: 'The time window of the sort (default ALL_TIME).' }),
  nsfw: t.boolean({ description: 'Include NSFW models and images (default false: PG only).' }),
}));

interface ModelListArgs {
  types?: readonly string[] | null;
  sort?: string | null;
  period?: string | null;
  nsfw?: boolean | null;
}

/** The upstream filters of `modelListArgs`, validated. */
export function modelListFilters(args: ModelListArgs): ModelFilters {
  return {
    types: valid.types(args.types),
    sort: args.sort ?? undefined,
    period: args.period ?? undefined,
    nsfw: args.nsfw ?? undefined,
  };
}
