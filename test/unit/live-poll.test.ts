/** What a poll announces (src/live/poll.ts) and a slow reader's bounded queue (src/live/registry.ts, queue.ts). */
import { describe, expect, it } from 'vitest';
import { headState, newVersions, pollHead, type HeadPage } from '../../src/live/poll.js';
import { createLive } from '../../src/live/registry.js';
import type { RequestFacts } from '../../src/http/request.js';
import type { UpstreamApi } from '../../src/upstream/index.js';

const item = (id: number) => ({ id });
/** A newest-first list read in pages of `size`. */
function pages(list: () => number[], size: number) {
  return async (cursor: string | undefined): Promise<HeadPage<{ id: number }>> => {
    const start = cursor === undefined ? 0 : Number(cursor);
    const all = list();
    return { items: all.slice(start, start + size).map(item), next: start + size < all.length ? String(start + size) : undefined };
  };
}

describe('pollHead', () => {
  it('sets the baseline first, then announces what stands above the lowest seen item, oldest first', async () => {
    let list = [5, 4, 3, 2, 1];
    const state = headState(100);
    expect(await pollHead(pages(() => list, 3), (i) => i.id, state, 5)).toEqual([]);
    list = [7, 6, 5, 4, 3, 2, 1];
    expect(await pollHead(pages(() => list, 3), (i) => i.id, state, 5)).toEqual([item(6), item(7)]);
    expect(await pollHead(pages(() => list, 3), (i) => i.id, state, 5)).toEqual([]);
  });

  it('an older item lifted to the head is announced once; items that move up because others left are not', async () => {
    let list = [5, 4, 3];
    const state = headState(100);
    await pollHead(pages(() => list, 3), (i) => i.id, state, 5);
    list = [1, 5, 4, 3];
    expect(await pollHead(pages(() => list, 3), (i) => i.id, state, 5)).toEqual([item(1)]);
    list = [5, 3, 0];
    expect(await pollHead(pages(() => list, 3), (i) => i.id, state, 5)).toEqual([]);
  });

  it('pages on while a whole page is new, up to the bound; a poll that fails part way marks nothing seen', async () => {
    let list = [1];
    const state = headState(100);
    await pollHead(pages(() => list, 2), (i) => i.id, state, 3);
    list = [8, 7, 6, 5, 4, 3, 2, 1];
    // Three pages of two: 2 is past the bound (a gap), never announced.
    expect(await pollHead(pages(() => list, 2), (i) => i.id, state, 3)).toEqual([3, 4, 5, 6, 7, 8].map(item));
    list = [10, 9, 8];
    let calls = 0;
    const failing = async (cursor: string | undefined) => {
      if (++calls === 2) throw new Error('upstream down');
      return pages(() => [12, 11, ...list], 2)(cursor);
    };
    await expect(pollHead(failing, (i) => i.id, state, 3)).rejects.toThrow('upstream down');
    expect(await pollHead(pages(() => [12, 11, ...list], 2), (i) => i.id, state, 3)).toEqual([9, 10, 11, 12].map(item));
  });

  it('newVersions: a model’s first sighting is its baseline; later versions come oldest first', () => {
    const known = new Map<number, Set<number>>();
    const model = (id: number, versions: Array<[number, string]>) => ({ id, modelVersions: versions.map(([v, at]) => ({ id: v, publishedAt: at })) });
    expect(newVersions(known, [model(1, [[10, '2024-01-01']])])).toEqual([]);
    const found = newVersions(known, [model(1, [[12, '2024-03-01'], [11, '2024-02-01'], [10, '2024-01-01']])]);
    expect(found.map((f) => f.version.id)).toEqual([11, 12]);
  });
});

describe('a slow reader', () => {
  it('is closed with one SLOW_READER error after SUBSCRIPTION_QUEUE_EVENTS events wait unread; its poll stops with it', async () => {
    let list = [3, 2, 1];
    const api = { listModels: async () => ({ items: list.map((id) => ({ id })), nextCursor: undefined, more: false, total: null }) } as unknown as UpstreamApi;
    const live = createLive({ api, limits: { pollMs: 10, maxSubscriptions: 10, maxPerClient: 10, maxPolls: 10, queueEvents: 2 }, pollDeadlineMs: 1_000 });
    const facts = { credential: { authorization: undefined, fingerprint: 'anon' }, client: 'anon' } as RequestFacts;
    const stream = live.subscribe({ kind: 'models', filters: {} }, facts);
    await new Promise((resolve) => setTimeout(resolve, 50));
    list = [8, 7, 6, 5, 4, 3, 2, 1];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const read = [];
    for await (const entry of stream) read.push(entry.kind === 'event' ? entry.event.id : (entry.error as { extensions?: { code?: string } }).extensions?.code);
    expect(read).toEqual(['model:4', 'model:5', 'SLOW_READER']);
    expect([live.subscriptions, live.topics]).toEqual([0, 0]);
    await live.close();
  });
});
