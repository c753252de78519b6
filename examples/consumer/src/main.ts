/**
 * Pages through `models` with urql and the typed ModelList document codegen made from the
 * server's documents/: `node dist/main.js <graphql url> [pages] [page size]`. Prints one JSON line
 * per page ({ page, ids, hasNextPage }) and stops at the last page or after [pages].
 */
import { Client, fetchExchange, type OperationResult } from '@urql/core';
import { ModelListDocument, type ModelListQuery, type ModelListQueryVariables } from './gql/graphql.js';

type Edge = NonNullable<ModelListQuery['models']>['edges'][number];

async function main(): Promise<void> {
  const [url, pagesArg = '3', sizeArg = '10'] = process.argv.slice(2);
  if (!url) throw new Error('usage: node dist/main.js <graphql url> [pages] [page size]');
  // urql sends queries as GETs (CDN-cacheable); the server's CSRF prevention takes a GET only
  // with a header no cross-site page can send without a CORS preflight.
  const client = new Client({
    url,
    exchanges: [fetchExchange],
    requestPolicy: 'network-only',
    fetchOptions: { headers: { 'x-graphql-yoga-csrf': '1' } },
  });
  let after: string | null = null;
  for (let page = 1; page <= Number(pagesArg); page++) {
    const result: OperationResult<ModelListQuery, ModelListQueryVariables> = await client.query(ModelListDocument, { first: Number(sizeArg), after, sort: 'NEWEST' }).toPromise();
    if (result.error) throw result.error;
    const models = result.data?.models;
    if (!models) throw new Error('no data');
    // A node Civitai sent unreadable is null, with its error in result.error's graphQLErrors.
    const ids: string[] = models.edges.flatMap((edge: Edge) => (edge.node ? [edge.node.id] : []));
    console.log(JSON.stringify({ page, ids, hasNextPage: models.pageInfo.hasNextPage }));
    if (!models.pageInfo.hasNextPage) break;
    after = models.pageInfo.endCursor ?? null;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
