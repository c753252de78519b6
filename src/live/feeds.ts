/**
 * The questions a subscription can ask, each as a topic: one poll of Civitai per interval for
 * everyone asking it in one credential partition (the registry keeps one topic per key).
 *  - models(filters): /models?sort=Newest with the `models` filters; new models at the head;
 *  - images(filters): /images?sort=Newest with the feed filters; new images at the head;
 *  - versions: /models?ids= for every watched model id of the partition, MAX_IDS_PER_CALL per call;
 *    each new version of a watched model.
 * Events carry what Civitai sent (plain JSON), so they can cross replicas over Redis.
 */
import type { CallScope } from '../upstream/client.js';
import type { ImageListParams, UpstreamFeedImage } from '../upstream/images.js';
import type { UpstreamApi } from '../upstream/index.js';
import { MAX_IDS_PER_CALL, type ModelListParams, type UpstreamModel } from '../upstream/models.js';
import type { UpstreamVersion } from '../upstream/shapes.js';
import { isDrift } from '../upstream/read.js';
import { headState, newVersions, pollHead, type HeadPage, type KnownVersions } from './poll.js';

/** Items read per page of a head poll, and pages read at most per poll when every item is new. */
export const MODEL_POLL_PAGE = 20;
export const IMAGE_POLL_PAGE = 50;
export const MAX_POLL_PAGES = 5;
/** Ids remembered per list topic (well above the items a poll can read). */
const MAX_SEEN = 1_000;

/** The filters of a live list: those of the lists, without paging (the schema's `models` and `images` arguments make them). */
export type ModelFilters = Omit<ModelListParams, 'limit' | 'page' | 'cursor'>;
export type ImageFilters = Omit<ImageListParams, 'limit' | 'cursor' | 'imageId' | 'withMeta'>;

export interface LiveEvent {
  /** What the event is about, unique across kinds: `model:1`, `image:2`, `version:3`. */
  readonly id: string;
  /** The model a version belongs to: versions go to the subscribers watching it. */
  readonly modelId?: number;
  readonly payload: unknown;
}

export interface Topic {
  readonly key: string;
  /** Upstream calls one poll makes before paging on. */
  calls(): number;
  poll(scope: CallScope): Promise<LiveEvent[]>;
  /** What a replica taking the poll over needs to resume (JSON), and its restoration. */
  snapshot(): unknown;
  restore(snapshot: unknown): void;
  /** The model ids watched, for the versions topic (all subscribers, all replicas). */
  watch?(ids: readonly number[]): void;
}

/** One key per question: every filter set, arrays as sets, undefined left out. */
export function filterKey(kind: string, filters: object): string {
  const entries = Object.entries(filters)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]): [string, unknown] => [name, Array.isArray(value) ? [...(value as unknown[])].sort() : value])
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `${kind}${JSON.stringify(entries)}`;
}

function headTopic<T extends { id: number }>(key: string, kind: string, maxPages: number, fetchPage: (cursor: string | undefined, scope: CallScope) => Promise<HeadPage<T>>): Topic {
  let state = headState(MAX_SEEN);
  return {
    key,
    calls: () => 1,
    async poll(scope) {
      const items = await pollHead((cursor) => fetchPage(cursor, scope), (item) => item.id, state, maxPages);
      return items.map((item) => ({ id: `${kind}:${item.id}`, payload: item }));
    },
    snapshot: () => ({ baselined: state.baselined, seen: state.seen.list() }),
    restore(snapshot) {
      const s = snapshot as { baselined?: unknown; seen?: unknown } | null;
      if (!s || s.baselined !== true || !Array.isArray(s.seen)) return;
      state = headState(MAX_SEEN, s.seen.filter((id): id is number => Number.isInteger(id)), true);
    },
  };
}

export function modelsTopic(api: UpstreamApi, key: string, filters: ModelFilters): Topic {
  return headTopic<UpstreamModel>(key, 'model', MAX_POLL_PAGES, async (cursor, scope) => {
    const answer = await api.listModels({ ...filters, sort: 'Newest', limit: MODEL_POLL_PAGE, ...(cursor !== undefined ? { cursor } : {}) }, scope);
    return { items: answer.items, next: answer.nextCursor };
  });
}

export function imagesTopic(api: UpstreamApi, key: string, filters: ImageFilters): Topic {
  return headTopic<UpstreamFeedImage>(key, 'image', MAX_POLL_PAGES, async (cursor, scope) => {
    const answer = await api.listImages({ ...filters, sort: 'Newest', limit: IMAGE_POLL_PAGE, withMeta: false, ...(cursor !== undefined ? { cursor } : {}) }, scope);
    return { items: answer.items, next: answer.nextCursor };
  });
}

/** One chunk of watched ids: each answer is its own baseline and its own failure. */
async function pollChunk(api: UpstreamApi, known: KnownVersions, chunk: number[], scope: CallScope): Promise<LiveEvent[]> {
  // nsfw=true: without it only PG-level models come back, also for ids.
  const answer = await api.listModels({ ids: chunk, nsfw: true, limit: chunk.length }, scope);
  // A model whose versions Civitai sent unreadable is left for a later poll: it neither sets a
  // baseline of no versions (which would later announce every version as new) nor announces any.
  const readable = answer.items.filter((model): model is UpstreamModel & { modelVersions: UpstreamVersion[] } => !isDrift(model.modelVersions));
  return newVersions(known, readable).map(({ model, version }) => ({ id: `version:${version.id}`, modelId: model.id, payload: { version, model } }));
}

export function versionsTopic(api: UpstreamApi, key: string): Topic {
  let watched: number[] = [];
  let known: KnownVersions = new Map();
  return {
    key,
    calls: () => Math.ceil(watched.length / MAX_IDS_PER_CALL),
    watch(ids) {
      watched = [...new Set(ids)].sort((a, b) => a - b);
      const kept = new Set(watched);
      for (const id of known.keys()) if (!kept.has(id)) known.delete(id);
    },
    async poll(scope) {
      const chunks: number[][] = [];
      for (let i = 0; i < watched.length; i += MAX_IDS_PER_CALL) chunks.push(watched.slice(i, i + MAX_IDS_PER_CALL));
      const settled = await Promise.allSettled(chunks.map((chunk) => pollChunk(api, known, chunk, scope)));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      const events = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
      if (failed && events.length === 0) throw failed.reason;
      return events;
    },
    snapshot: () => [...known].map(([id, versions]) => [id, [...versions]]),
    restore(snapshot) {
      if (!Array.isArray(snapshot)) return;
      known = new Map(
        snapshot.flatMap((entry): Array<[number, Set<number>]> =>
          Array.isArray(entry) && Number.isInteger(entry[0]) && Array.isArray(entry[1]) ? [[entry[0] as number, new Set((entry[1] as unknown[]).filter(Number.isInteger) as number[])]] : [],
        ),
      );
    },
  };
}

export type { UpstreamModel };
