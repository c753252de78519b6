/** Ground truth straight from the fixture upstream, for comparing our answers with. */
import type { FixtureUpstream, RequestLogEntry } from '../../fixture/index.js';

interface RawPage {
  items: Array<{ id: number; name: string; type: string; tags: string[]; nsfw: boolean }>;
  metadata: { nextCursor?: string; totalItems?: number };
}

export async function rawGet<T>(fixture: FixtureUpstream, path: string): Promise<T> {
  const response = await fetch(`${fixture.url}${path}`);
  if (!response.ok) throw new Error(`fixture ${path}: ${response.status}`);
  return (await response.json()) as T;
}

/** The same request as a logged one, asked again (the fixture answers it with the same rows). */
export async function replay<T>(fixture: FixtureUpstream, entry: RequestLogEntry): Promise<T> {
  const response = await fetch(new URL(entry.url, fixture.origin));
  if (!response.ok) throw new Error(`fixture ${entry.url}: ${response.status}`);
  return (await response.json()) as T;
}

/** Every visible model id of a /models query, walking the upstream's own cursors. */
export async function allModelIds(fixture: FixtureUpstream, query = ''): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | undefined;
  do {
    const page: RawPage = await rawGet(fixture, `/models?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    ids.push(...page.items.map((m) => m.id));
    cursor = page.metadata.nextCursor;
  } while (cursor);
  fixture.resetLog();
  return ids;
}
