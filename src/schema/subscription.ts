/**
 * `Subscription`: what is new on Civitai, pushed (GraphQL over SSE, or multipart). Each field
 * asks a question of the live registry (src/live), which polls Civitai once per distinct question
 * and credential partition for every subscriber; the filters are the list fields' own, checked
 * before anything is polled. Each event then runs its selection like a query of its own (fresh
 * loaders, the cost plan of the operation as its budget).
 */
import type { Context } from '../context.js';
import { BadUserInputError } from '../errors.js';
import type { LiveEvent } from '../live/feeds.js';
import type { Queued } from '../live/queue.js';
import type { UpstreamFeedImage } from '../upstream/images.js';
import type { UpstreamModel } from '../upstream/models.js';
import { builder } from './builder.js';
import { FREE } from './cost.js';
import { imageFeedArgs, imageFeedFilters } from './image-filters.js';
import { modelListArgs, modelListFilters } from './model-filters.js';
import { ImageRef, ModelRef, ModelVersionRef, type VersionRef } from './refs.js';
import * as valid from './validate.js';

/** Most model ids one `modelVersionPublished` watches. */
export const MAX_WATCHED_MODELS = 100;

builder.subscriptionType({
  description:
    'What is new on Civitai, as it appears: each distinct question is polled once for every subscriber (every SUBSCRIPTION_POLL_MS); events come oldest first, each once. Over SSE (`Accept: text/event-stream`) or multipart.',
});

/** The list arguments minus those a live list fixes itself (newest first, no time window, no id list). */
function withoutArgs<T extends object, K extends string>(args: T, names: readonly K[]): Omit<T, K> {
  const kept = { ...args } as Record<string, unknown>;
  for (const name of names) delete kept[name];
  return kept as Omit<T, K>;
}

const liveModelArgs = withoutArgs(modelListArgs, ['sort', 'period', 'ids'] as const);
const liveImageArgs = withoutArgs(imageFeedArgs, ['sort', 'period'] as const);

/** The event as the field's value; the error item of a reader that fell behind ends its stream. */
function eventOf<T>(item: Queued<LiveEvent>, ctx: Context): T {
  if (item.kind === 'error') throw item.error;
  ctx.nextEvent();
  return item.event.payload as T;
}

builder.subscriptionFields((t) => ({
  modelPublished: t.field({
    type: ModelRef,
    description:
      'Each model that newly appears at the head of Civitai\u2019s newest-first /models list with these filters (a new model, or an older one lifted by a new version), once. What is listed when the subscription starts is not sent.',
    args: {
      tag: t.arg.string({ description: 'Only models with this tag (exact name, case-insensitive).' }),
      username: t.arg.string({ description: 'Only models by this creator.' }),
      ...liveModelArgs,
    },
    extensions: FREE,
    subscribe: (_root, args, ctx) => {
      const filters = {
        tag: valid.optionalText('tag', args.tag),
        username: valid.optionalText('username', args.username),
        ...modelListFilters(args, ctx.credential.authorization !== undefined),
      };
      return ctx.live.subscribe({ kind: 'models', filters }, ctx.facts);
    },
    resolve: (item, _args, ctx) => eventOf<UpstreamModel>(item as Queued<LiveEvent>, ctx),
  }),
  modelVersionPublished: t.field({
    type: ModelVersionRef,
    description: 'Each new version of these models, once, oldest first. The versions they have when the subscription starts are not sent.',
    args: { modelIds: t.arg.intList({ required: true, description: `Civitai ids of the models to watch (1 to ${MAX_WATCHED_MODELS}).` }) },
    extensions: FREE,
    subscribe: (_root, args, ctx) => {
      if (args.modelIds.length === 0 || args.modelIds.length > MAX_WATCHED_MODELS) {
        throw new BadUserInputError(`\`modelIds\` must hold 1 to ${MAX_WATCHED_MODELS} ids, got ${args.modelIds.length}.`);
      }
      const modelIds = [...new Set(args.modelIds.map((id) => valid.civitaiId('modelIds', id)))];
      return ctx.live.subscribe({ kind: 'versions', modelIds }, ctx.facts);
    },
    resolve: (item, _args, ctx) => eventOf<VersionRef>(item as Queued<LiveEvent>, ctx),
  }),
  imagePosted: t.field({
    type: ImageRef,
    description: 'Each image newly posted to Civitai\u2019s images feed with these filters, once, oldest first. What is listed when the subscription starts is not sent.',
    args: {
      modelId: t.arg.int({ description: 'Only images made with this model.' }),
      modelVersionId: t.arg.int({ description: 'Only images made with this model version.' }),
      username: t.arg.string({ description: 'Only images posted by this user (letters, digits and _ only).' }),
      ...liveImageArgs,
    },
    extensions: FREE,
    subscribe: (_root, args, ctx) => {
      const filters = {
        ...imageFeedFilters(args),
        modelId: args.modelId == null ? undefined : valid.civitaiId('modelId', args.modelId),
        modelVersionId: args.modelVersionId == null ? undefined : valid.civitaiId('modelVersionId', args.modelVersionId),
        username: valid.optionalText('username', args.username),
      };
      return ctx.live.subscribe({ kind: 'images', filters }, ctx.facts);
    },
    resolve: (item, _args, ctx) => eventOf<UpstreamFeedImage>(item as Queued<LiveEvent>, ctx),
  }),
}));
