/**
 * What is new since the last poll, worked out from what Civitai lists now. Pure: the callers
 * fetch, this decides.
 *
 * A list newest first (models or images with sort=Newest): the first poll sets the baseline (what
 * is listed then is never announced); later, the items not seen yet that stand above the lowest
 * item already seen are new (an older model that a new version lifts to the head counts as new
 * once; items that move up because others left the list, below every seen one, do not). When a
 * whole page is new, the next page is read, up to `maxPages`; beyond that the oldest of the new
 * items are not announced (a gap, bounded). A poll that fails part way announces
 * nothing and marks nothing seen: the next one starts again from the last item seen. Items come
 * out oldest first.
 */
export interface HeadPage<T> {
  readonly items: readonly T[];
  /** The cursor of the next page, if any. */
  readonly next: string | undefined;
}

/** The most recent ids, at most `max` of them (the oldest forgotten first). */
export class RecentIds<K extends string | number = number> {
  private readonly ids = new Set<K>();
  constructor(private readonly max: number) {}
  has(id: K): boolean {
    return this.ids.has(id);
  }
  add(id: K): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as K);
  }
  get size(): number {
    return this.ids.size;
  }
  /** Oldest first, for handing the state over (Redis). */
  list(): K[] {
    return [...this.ids];
  }
}

export interface HeadState {
  baselined: boolean;
  readonly seen: RecentIds;
}

export function headState(maxSeen: number, seen: readonly number[] = [], baselined = false): HeadState {
  const state: HeadState = { baselined, seen: new RecentIds(maxSeen) };
  for (const id of seen) state.seen.add(id);
  return state;
}

export async function pollHead<T>(
  fetchPage: (cursor: string | undefined) => Promise<HeadPage<T>>,
  idOf: (item: T) => number,
  state: HeadState,
  maxPages: number,
): Promise<T[]> {
  const found: T[] = [];
  const ids = new Set<number>();
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { items, next } = await fetchPage(cursor);
    const lowestSeen = items.findLastIndex((item) => state.seen.has(idOf(item)));
    for (const item of lowestSeen < 0 ? items : items.slice(0, lowestSeen)) {
      const id = idOf(item);
      if (!state.seen.has(id) && !ids.has(id)) (ids.add(id), found.push(item));
    }
    if (lowestSeen >= 0 || next === undefined || !state.baselined) break;
    cursor = next;
  }
  // Oldest first; the seen ids keep the order they were published in.
  found.reverse();
  for (const item of found) state.seen.add(idOf(item));
  if (!state.baselined) {
    state.baselined = true;
    return [];
  }
  return found;
}

/** Versions known per model: a model's first sighting is its baseline. */
export type KnownVersions = Map<number, Set<number>>;

export interface VersionSighting<M, V> {
  readonly model: M;
  readonly version: V;
}

/**
 * The versions of `models` not known before, oldest first (by `publishedAt`, then id); a model
 * seen for the first time only sets its baseline. `known` is updated.
 */
export function newVersions<M extends { id: number; modelVersions: readonly V[] }, V extends { id: number; publishedAt?: unknown }>(
  known: KnownVersions,
  models: readonly M[],
): Array<VersionSighting<M, V>> {
  const found: Array<VersionSighting<M, V>> = [];
  for (const model of models) {
    const versions = known.get(model.id);
    if (!versions) {
      known.set(model.id, new Set(model.modelVersions.map((v) => v.id)));
      continue;
    }
    for (const version of model.modelVersions) {
      if (versions.has(version.id)) continue;
      versions.add(version.id);
      found.push({ model, version });
    }
  }
  // A date Civitai sent unreadable (drift) sorts last, as a missing one.
  const time = (v: V) => (typeof v.publishedAt === 'string' ? Date.parse(v.publishedAt) : Number.POSITIVE_INFINITY);
  return found.sort((a, b) => time(a.version) - time(b.version) || a.version.id - b.version.id);
}
