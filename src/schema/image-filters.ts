/**
 * The images-feed arguments that `Query.images`, `Model.images`, `ModelVersion.gallery` and
 * `Creator.images` share, the filters they make, and whether a query reads `meta` (Civitai sends
 * generation parameters only when asked, and they make a page several times larger).
 */
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { BadUserInputError } from '../errors.js';
import { builder } from './builder.js';
import type { ImageFilters } from './connection.js';
import { ImageNsfwEnum, ImageSortEnum, MediaTypeEnum, PeriodEnum, UNKNOWN } from './enums.js';
import * as valid from './validate.js';

export const imageFeedArgs = builder.args((t) => ({
  sort: t.field({
    type: ImageSortEnum,
    description:
      'The order (default MOST_REACTIONS). A feed by model alone (no `modelVersionId`) is listed newest first whatever the sort but OLDEST: Civitai answers it from a path without engagement sorts.',
  }),
  period: t.field({ type: PeriodEnum, description: 'Only images posted within this window (default ALL_TIME).' }),
  nsfw: t.field({ type: ImageNsfwEnum, description: 'The content levels to include (default NONE: PG only).' }),
  baseModels: t.stringList({
    description: 'Only images made with one of these base models (e.g. "SDXL 1.0"; at most 50). A name Civitai does not know is refused with the list of those it does.',
  }),
  type: t.field({ type: MediaTypeEnum, description: 'Only this kind of media.' }),
}));

interface ImageFeedArgs {
  sort?: string | null;
  period?: string | null;
  nsfw?: string | null;
  baseModels?: readonly string[] | null;
  type?: string | null;
}

/** The upstream filters of `imageFeedArgs`, validated before any call. */
export function imageFeedFilters(args: ImageFeedArgs): ImageFilters {
  if (args.type === UNKNOWN) throw new BadUserInputError('`type` cannot filter on UNKNOWN: name IMAGE, VIDEO or AUDIO.');
  const baseModels = valid.baseModelNames(args.baseModels)?.sort();
  return {
    sort: args.sort ?? undefined,
    period: args.period ?? undefined,
    nsfw: args.nsfw ?? undefined,
    baseModels,
    type: args.type ?? undefined,
  };
}

/**
 * Whether the connection field being resolved selects `meta` on its images (through `edges.node`
 * or `nodes`, fragments included). Directives are not evaluated: a `meta` under `@skip` still
 * counts, so a selected `meta` is never left without its data.
 */
export function selectsImageMeta(info: GraphQLResolveInfo): boolean {
  const fieldsNamed = (set: SelectionSetNode | undefined, name: string, seen = new Set<string>()): SelectionSetNode[] => {
    if (!set) return [];
    return set.selections.flatMap((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name && s.selectionSet ? [s.selectionSet] : [];
      if (s.kind === Kind.INLINE_FRAGMENT) return fieldsNamed(s.selectionSet, name, seen);
      if (seen.has(s.name.value)) return [];
      seen.add(s.name.value);
      return fieldsNamed(info.fragments[s.name.value]?.selectionSet, name, seen);
    });
  };
  const hasField = (set: SelectionSetNode, name: string, seen = new Set<string>()): boolean =>
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name;
      if (s.kind === Kind.INLINE_FRAGMENT) return hasField(s.selectionSet, name, seen);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      const fragment = info.fragments[s.name.value];
      return fragment ? hasField(fragment.selectionSet, name, seen) : false;
    });
  return info.fieldNodes.some((field) => {
    const nodeSets = [
      ...fieldsNamed(field.selectionSet, 'nodes'),
      ...fieldsNamed(field.selectionSet, 'edges').flatMap((edges) => fieldsNamed(edges, 'node')),
    ];
    return nodeSets.some((set) => hasField(set, 'meta'));
  });
}
