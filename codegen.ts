import type { CodegenConfig } from '@graphql-codegen/cli';

// Resolver types are generated from the SDL and committed; `npm test` runs `codegen --check`
// so that a schema change without regenerated types fails CI instead of drifting silently.
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        contextType: '../context.js#GraphQLContext',
        useIndexSignature: false,
        strictScalars: true,
        scalars: { DateTime: 'Date', ID: 'string' },
        mappers: {
          User: '../db/rows.js#UserRow',
          Product: '../db/rows.js#ProductRow',
          Review: '../db/rows.js#ReviewRow',
          Order: '../db/rows.js#OrderRow',
          OrderItem: '../db/rows.js#OrderItemRow',
          Address: '../db/rows.js#AddressModel',
          ApiKey: '../db/rows.js#ApiKeyRow',
          AuthPayload: '../db/rows.js#AuthPayloadModel',
          CreatedApiKey: '../db/rows.js#CreatedApiKeyModel',
          ProductConnection: '../db/rows.js#ConnectionModel<ProductRow>',
          ReviewConnection: '../db/rows.js#ConnectionModel<ReviewRow>',
          OrderConnection: '../db/rows.js#ConnectionModel<OrderRow>',
          ProductEdge: '../db/rows.js#EdgeModel<ProductRow>',
          ReviewEdge: '../db/rows.js#EdgeModel<ReviewRow>',
          OrderEdge: '../db/rows.js#EdgeModel<OrderRow>',
        },
      },
    },
  },
};

export default config;
