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
      // persisted-documents.json (sha256 of each printed operation → its text) is the allow-list
      // PERSISTED_OPERATIONS=trusted serves from; each generated document carries its hash.
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
