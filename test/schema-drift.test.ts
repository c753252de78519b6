import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import config from '../codegen.js';
import { printedSchema } from '../scripts/print-schema.js';
import { schema } from '../src/schema/index.js';

const root = join(import.meta.dirname, '..');

function undocumented(s: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(s.getTypeMap())) {
    if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
    if (!type.description) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
  }
  return missing;
}

describe('schema artefacts', () => {
  it('when the schema is printed, then it equals schema.graphql (run `npm run schema` to fix)', () => {
    expect(readFileSync(join(root, 'schema.graphql'), 'utf8'), 'schema.graphql is stale: run `npm run schema`').toBe(printedSchema());
  });

  it('when codegen runs on schema.graphql and documents/, then generated/ is unchanged (run `npm run codegen` to fix)', async () => {
    const files = await generate({ ...config, cwd: root, silent: true }, false);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(readFileSync(join(root, file.filename), 'utf8'), `${file.filename} is stale: run \`npm run codegen\``).toBe(file.content);
    }
  }, 30_000);

  it('when the schema is introspected, then every type, field, argument and enum value has a description', () => {
    expect(undocumented(schema)).toEqual([]);
  });
});
