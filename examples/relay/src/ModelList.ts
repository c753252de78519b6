// Relay fragments over civitai-graphql, compiled by relay-compiler against ../../schema.graphql
// (test/consumers/relay-compiler.test.ts). Sources only: no React, no runtime.
import { graphql } from './graphql.js';

/** The models list, paged forward with usePaginationFragment. */
export const ModelListFragment = graphql`
  fragment ModelList_query on Query
  @refetchable(queryName: "ModelListPaginationQuery")
  @argumentDefinitions(
    first: { type: "Int", defaultValue: 10 }
    after: { type: "String" }
    query: { type: "String" }
  ) {
    models(first: $first, after: $after, query: $query) @connection(key: "ModelList_models", filters: ["query"]) {
      edges {
        node {
          id
          name
          type
          ...ModelCard_model
        }
      }
    }
  }
`;
