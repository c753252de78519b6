import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed documents from the server's checked-in SDL and its example operations. */
const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['../../documents/**/*.graphql'],
  emitLegacyCommonJSImports: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string', JSON: 'unknown' } },
    },
  },
};

export default config;
