import type { CodegenConfig } from '@graphql-codegen/cli';
import type { DocumentNode } from 'graphql';
import { documentId } from '../../scripts/trusted-documents.js';

// The client's own code generation: typed documents from the published schema (docs/schema.graphql)
// and the operations of operations/*.graphql, as a separate frontend would set it up. Run from the
// repository root after the root codegen.ts, which prints docs/schema.graphql: one config reading the
// file another output of the same run writes would see its previous version.
const config: CodegenConfig = {
  schema: 'docs/schema.graphql',
  documents: 'examples/client/operations/*.graphql',
  generates: {
    'examples/client/src/gql/': {
      preset: 'client',
      // No fragments here, so no masking helpers; `string` documents are sent as is by fetch.
      presetConfig: {
        fragmentMasking: false,
        // Each document carries its trusted-documents id (`document.__meta__.documentId`), computed
        // by the code that builds examples/trusted-documents.json, so the two always agree. The
        // preset's own `persistedDocuments` hashes a sorted, minified text instead: ids no
        // manifest of ours holds.
        onExecutableDocumentNode: (document: DocumentNode) => ({ documentId: documentId(document) }),
      },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        // Relative imports with `.js`, as Node's ESM resolution (module: NodeNext) requires.
        emitLegacyCommonJSImports: false,
        strictScalars: true,
        // As they arrive in JSON: DateTime is an ISO-8601 string, JSON any value.
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
