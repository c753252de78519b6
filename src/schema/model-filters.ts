/** The model-list arguments that `Query.models`, `Creator.models` and `Tag.models` share, and the filters they make. */
import { maxCallsForWindow } from '../pagination/bounds.js';
import { builder } from './builder.js';
import type { ModelFilters } from './connection.js';
import { cost, windowSize } from './cost.js';
import { CheckpointTypeEnum, CommercialUseEnum, ModelSortEnum, ModelTypeEnum, PeriodEnum } from './enums.js';
import { BadUserInputError, CodedError } from '../errors.js';
import * as valid from './validate.js';

/** Filters applied by this API over the pages Civitai returns read full pages, and at most a few more per window. */
const LOCAL =
  'Civitai cannot filter on it, so this API does over the models it lists: a window reads a few pages more for it, and when even those hold too few matches it comes back shorter than asked, with `hasNextPage` true.';

export const modelListArgs = builder.args((t) => ({
  types: t.field({ type: [ModelTypeEnum], description: 'Only models of these kinds.' }),
  sort: t.field({ type: ModelSortEnum, description: 'The order (default HIGHEST_RATED).' }),
  period: t.field({ type: PeriodEnum, description: 'The time window of the sort (default ALL_TIME).' }),
  nsfw: t.boolean({ description: 'Include NSFW models and images (default false: PG-level models only, with their PG images).' }),
  baseModels: t.stringList({
    description:
      'Only models with a version for one of these base models (exact names such as "SDXL 1.0"; an unknown name matches nothing; at most 50). Their `modelVersions` then hold only those versions. Not served by a 2022-style upstream (BAD_USER_INPUT).',
  }),
  checkpointType: t.field({
    type: CheckpointTypeEnum,
    description:
      'Only checkpoints made this way. Without `types` the list holds such checkpoints only; with `types`, it must include CHECKPOINT, and models of the other types asked are listed too. Not served by a 2022-style upstream.',
  }),
  primaryFileOnly: t.boolean({ description: 'true: each version\u2019s `files` holds only its primary file. false or absent: every file.' }),
  allowCommercialUse: t.field({
    type: [CommercialUseEnum],
    description: 'Only models whose licence lists at least one of these uses (an empty list: no filter). Not served by a 2022-style upstream.',
  }),
  allowNoCredit: t.boolean({ description: `Only models whose licence does (true) or does not (false) allow use without crediting the creator. ${LOCAL}` }),
  allowDerivatives: t.boolean({ description: `Only models whose licence does (true) or does not (false) allow derivatives (merges). ${LOCAL}` }),
  allowDifferentLicense: t.boolean({ description: `Only models whose licence does (true) or does not (false) let derivatives use another licence. ${LOCAL}` }),
  supportsGeneration: t.boolean({
    description: `true: only models Civitai can generate with, their \`modelVersions\` narrowed to the versions it covers. false: only models it cannot generate with (${LOCAL}) Not served by a 2022-style upstream.`,
  }),
  earlyAccess: t.boolean({
    description: `true: only models with a version in an active early-access window. false: only models without one (${LOCAL}) Not served by a 2022-style upstream.`,
  }),
  archived: t.boolean({ description: 'true: archived models are listed too (their files are no longer downloadable). false or absent: they are left out.' }),
  favorites: t.boolean({ description: 'true: only models the API key\u2019s account bookmarked. false: no filter. Needs an API key (UNAUTHENTICATED without one).' }),
  hidden: t.boolean({ description: 'true: only models the API key\u2019s account hid. false: no filter. Needs an API key (UNAUTHENTICATED without one).' }),
  ids: t.intList({ description: 'Only these models (1 to 100 Civitai ids), in the list\u2019s order (not the ids\u2019 order). Not with `query`.' }),
}));

interface ModelListArgs {
  types?: readonly string[] | null;
  sort?: string | null;
  period?: string | null;
  nsfw?: boolean | null;
  baseModels?: readonly string[] | null;
  checkpointType?: string | null;
  primaryFileOnly?: boolean | null;
  allowCommercialUse?: readonly string[] | null;
  allowNoCredit?: boolean | null;
  allowDerivatives?: boolean | null;
  allowDifferentLicense?: boolean | null;
  supportsGeneration?: boolean | null;
  earlyAccess?: boolean | null;
  archived?: boolean | null;
  favorites?: boolean | null;
  hidden?: boolean | null;
  ids?: readonly number[] | null;
}

const flag = (value: boolean | null | undefined) => value ?? undefined;
const onlyTrue = (value: boolean | null | undefined) => (value === true ? true : undefined);

/** The upstream filters of `modelListArgs`, validated before any call; `hasKey`: the request goes upstream with an API key. */
export function modelListFilters(args: ModelListArgs, hasKey: boolean): ModelFilters {
  for (const name of ['favorites', 'hidden'] as const) {
    if (args[name] != null && !hasKey) throw new CodedError('UNAUTHENTICATED', `\`${name}\` needs an API key: send \`Authorization: Bearer <key>\`.`);
  }
  const types = valid.types(args.types);
  if (args.checkpointType != null && types && !types.includes('Checkpoint')) {
    throw new BadUserInputError('`checkpointType` filters checkpoints: include CHECKPOINT in `types`, or leave `types` out.');
  }
  const baseModels = valid.baseModelNames(args.baseModels);
  if (args.ids != null && (args.ids.length === 0 || args.ids.length > 100)) {
    throw new BadUserInputError(`\`ids\` must hold 1 to 100 ids, got ${args.ids.length}.`);
  }
  const ids = args.ids?.map((id) => valid.civitaiId('ids', id));
  return {
    types,
    sort: args.sort ?? undefined,
    period: args.period ?? undefined,
    nsfw: args.nsfw ?? undefined,
    baseModels,
    checkpointType: args.checkpointType ?? undefined,
    primaryFileOnly: onlyTrue(args.primaryFileOnly),
    allowCommercialUse: args.allowCommercialUse?.length ? [...new Set(args.allowCommercialUse)] : undefined,
    allowNoCredit: flag(args.allowNoCredit),
    allowDerivatives: flag(args.allowDerivatives),
    allowDifferentLicense: flag(args.allowDifferentLicense),
    supportsGeneration: flag(args.supportsGeneration),
    earlyAccess: flag(args.earlyAccess),
    archived: onlyTrue(args.archived),
    favorites: onlyTrue(args.favorites),
    hidden: onlyTrue(args.hidden),
    ids: ids ? [...new Set(ids)].sort((a, b) => a - b) : undefined,
  };
}

/** The cost of a model connection: its window's calls, and a few more when a filter is applied here (src/upstream owns which). */
export const MODEL_CONNECTION_COST = cost({
  calls: (args, facts) =>
    maxCallsForWindow(windowSize(args), facts.pageCaps.models) + (facts.modelLists.locallyFiltered(args) ? facts.modelLists.localFilterExtraCalls : 0),
  window: windowSize,
});
