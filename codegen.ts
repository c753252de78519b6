import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for consumers and tests, generated from the checked-in SDL (no TS loader
 * needed) and the example operations in documents/. `npm run codegen:check` fails on drift.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['documents/**/*.graphql'],
  emitLegacyCommonJSImports: false,
  generates: {
    'generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
