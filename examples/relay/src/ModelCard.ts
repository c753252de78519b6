import { graphql } from './graphql.js';

export const ModelCardFragment = graphql`
  fragment ModelCard_model on Model @refetchable(queryName: "ModelCardRefetchQuery") {
    id
    name
    nsfw
    creator {
      username
      modelCount
    }
    tags {
      name
    }
  }
`;
