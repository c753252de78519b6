import { graphql } from './graphql.js';

/** A creator's models, refetchable through node(id:) and paged forward. */
export const CreatorModelsFragment = graphql`
  fragment CreatorModels_creator on Creator
  @refetchable(queryName: "CreatorModelsPaginationQuery")
  @argumentDefinitions(first: { type: "Int", defaultValue: 5 }, after: { type: "String" }) {
    username
    modelCount
    models(first: $first, after: $after) @connection(key: "CreatorModels_models") {
      edges {
        node {
          id
          ...ModelCard_model
        }
      }
    }
  }
`;
