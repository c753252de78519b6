/** Writes schema.graphql: the printed, sorted SDL of src/schema. Run with `npm run schema`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../src/schema/index.js';

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../schema.graphql', import.meta.url), printedSchema());
  process.stdout.write('schema.graphql written\n');
}
