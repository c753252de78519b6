/** Stands in for react-relay's `graphql` tag: relay-compiler reads the tagged templates, nothing runs them. */
export function graphql(strings: TemplateStringsArray): string {
  return strings.join('');
}
