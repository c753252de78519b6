/**
 * Persisted operations, by The Guild's plugins (PERSISTED_OPERATIONS):
 *  - apq: Apollo's automatic persisted queries. A client sends the sha256 of its query first; an
 *    unknown hash answers `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND), which makes
 *    Apollo's PersistedQueryLink send hash + query once; later requests carry the hash alone.
 *  - trusted: only the documents of the manifest codegen emits for documents/
 *    (generated/persisted-documents.json, `"sha256:<hex>": "<text>"`). A client sends the id as
 *    `documentId` (client-preset style, with or without the `sha256:` prefix) or in Apollo's
 *    `extensions.persistedQuery.sha256Hash`; query text is refused.
 *  - off: query text only (a hash-only request answers "Must provide query string.").
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { useAPQ } from '@graphql-yoga/plugin-apq';
import { defaultExtractPersistedOperationId, usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import { boundedApqStore } from './bounded-caches.js';

export type PersistedOperationsMode = 'off' | 'apq' | 'trusted';

const PREFIX = 'sha256:';

/** The manifest next to the sources (src/plugins → generated) or the build (dist/src/plugins → generated). */
function defaultManifestPath(): string {
  const candidates = ['../../generated/persisted-documents.json', '../../../generated/persisted-documents.json'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

/** Reads the manifest into hex hash → document text; throws with the path when it is missing or malformed. */
export function loadTrustedDocuments(path: string = defaultManifestPath()): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`PERSISTED_OPERATIONS=trusted: cannot read the manifest ${path}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`PERSISTED_OPERATIONS=trusted: ${path} is not an object of hash → document`);
  }
  const documents = new Map<string, string>();
  for (const [key, text] of Object.entries(parsed)) {
    if (typeof text !== 'string') throw new Error(`PERSISTED_OPERATIONS=trusted: ${path}: the entry ${key} is not a string`);
    documents.set(key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key, text);
  }
  return documents;
}

/** `apqBytes`: the APQ store's share of CLIENT_MEMORY_BYTES (bounded-caches.ts). */
export function usePersistedOperationsMode(mode: PersistedOperationsMode, apqBytes: number, manifestPath?: string): Plugin[] {
  if (mode === 'off') return [];
  if (mode === 'apq') {
    // Apollo keeps a hash for the life of its client; an hour here (or until the store's byte
    // bound evicts it), then it re-sends the text once.
    return [useAPQ({ store: boundedApqStore(apqBytes) })];
  }
  const documents = loadTrustedDocuments(manifestPath);
  return [
    usePersistedOperations({
      allowArbitraryOperations: false,
      extractPersistedOperationId(params, request, context) {
        const documentId = (params as { documentId?: unknown }).documentId;
        if (typeof documentId === 'string') return documentId;
        return defaultExtractPersistedOperationId(params, request, context);
      },
      getPersistedOperation(key) {
        return documents.get(key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key) ?? null;
      },
      customErrors: {
        notFound: { message: 'The operation is not in the trusted documents.', extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 404 } } },
        persistedQueryOnly: {
          message: 'Only trusted documents are accepted here: send documentId (or extensions.persistedQuery.sha256Hash) of an operation in the manifest.',
          extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
        },
        keyNotFound: {
          message: 'Send documentId (or extensions.persistedQuery.sha256Hash) of an operation in the manifest.',
          extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } },
        },
      },
    }),
  ];
}
