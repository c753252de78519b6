import { graphql } from './graphql.js';

/** Creators paged backward (last/before), the direction usePaginationFragment's loadPrevious uses. */
export const CreatorsBackwardFragment = graphql`
  fragment CreatorsBackward_query on Query
  @refetchable(queryName: "CreatorsBackwardPaginationQuery")
  @argumentDefinitions(last: { type: "Int", defaultValue: 10 }, before: { type: "String" }) {
    creators(last: $last, before: $before) @connection(key: "CreatorsBackward_creators") {
      edges {
        node {
          id
          username
          modelCount
        }
      }
    }
  }
`;
