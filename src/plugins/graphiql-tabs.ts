/**
 * GraphiQL's saved example operations, opened as tabs beside the default query (a search, a
 * creator with their models, paging backward, `node`). Their text lives in
 * documents/graphiql-examples.graphql; the typed documents codegen makes of it are printed here,
 * so the tabs always validate against the schema (codegen and its drift check say when not).
 */
import { print } from 'graphql';
import type { GraphiQLOptions } from 'graphql-yoga';
import { CreatorWithModelsDocument, NodeLookupDocument, SearchModelsDocument, CreatorsBackwardDocument } from '../../generated/graphql.js';

export function graphiqlTabs(defaultQuery: string): NonNullable<GraphiQLOptions['defaultTabs']> {
  const examples = [SearchModelsDocument, CreatorWithModelsDocument, CreatorsBackwardDocument, NodeLookupDocument];
  return [{ query: defaultQuery }, ...examples.map((document) => ({ query: print(document) }))];
}
