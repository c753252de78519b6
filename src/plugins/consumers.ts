/**
 * What client developers expect, each in its own plugin, gathered here so src/server.ts wires
 * them in a few lines:
 *  - GraphiQL: its page at the endpoint and its assets under /graphiql/ (graphiql-page);
 *  - before the limits and the whole-result cache: `GET /` → GraphiQL and HEAD (http-entry),
 *    persisted operations (they must fill in the query before the response cache keys on it),
 *    @defer/@stream (The Guild's plugin; the cost estimate walks deferred fragments like others);
 *  - after: HTTP caching headers, then compression (last, so it sees the final headers).
 */
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { useCompression } from './compression.js';
import { useGraphiQLPage } from './graphiql-page.js';
import { graphiqlTabs } from './graphiql-tabs.js';
import { useHttpCaching } from './http-caching.js';
import { useHttpEntry } from './http-entry.js';
import { clientMemory } from './bounded-caches.js';
import { usePersistedOperationsMode } from './persisted-operations.js';
import type { RequestFacts } from '../http/request.js';

export const GRAPHQL_ENDPOINT = '/graphql';

export function consumerPlugins(config: Config, position: 'before' | 'after', facts: (request: Request) => RequestFacts): Plugin[] {
  if (position === 'before') {
    return [
      useHttpEntry(GRAPHQL_ENDPOINT),
      ...usePersistedOperationsMode(config.consumers.persistedOperations, clientMemory(config.cache.clientMemoryBytes).apq, config.consumers.persistedDocumentsFile),
      useDeferStream(),
    ];
  }
  return [
    useHttpCaching({
      ttlMs: config.cache.ttlMs.list,
      facts,
    }),
    ...(config.consumers.compression ? [useCompression()] : []),
  ];
}

/** GraphiQL with the saved example tabs (yoga's own GraphiQL is off: `graphiql: false`). */
export function consumerGraphiQL(options: Pick<GraphiQLOptions, 'title' | 'defaultQuery'> & { defaultQuery: string }): Plugin {
  return useGraphiQLPage(GRAPHQL_ENDPOINT, { ...options, defaultTabs: graphiqlTabs(options.defaultQuery) });
}
