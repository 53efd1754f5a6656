import type { CodegenConfig } from '@graphql-codegen/cli';

// Resolver types are generated from the SDL and committed; `npm test` runs `codegen --check`
// so that a schema change without regenerated types fails CI instead of drifting silently.
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  generates: {
    // The schema's enums (Role, Scope, OrderStatus, Country) as const objects and string unions,
    // with no imports: the one source for these lists, safe to import from anywhere (auth,
    // policy, security) without a cycle through the resolver types and the context.
    'src/generated/schema-types.ts': {
      plugins: ['typescript'],
      config: { onlyEnums: true, enumsAsConst: true, namingConvention: { enumValues: 'keep' } },
    },
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
          // Each GraphQL type maps onto its module's model (what the repositories return).
          User: '../modules/users/users.model.js#UserRow',
          Product: '../modules/products/products.model.js#ProductRow',
          Review: '../modules/reviews/reviews.model.js#ReviewRow',
          Order: '../modules/orders/orders.model.js#OrderRow',
          OrderItem: '../modules/orders/orders.model.js#OrderItemRow',
          Address: '../modules/orders/orders.model.js#AddressModel',
          ApiKey: '../modules/identity/identity.model.js#ApiKeyRow',
          AuthPayload: '../modules/identity/identity.model.js#AuthPayloadModel',
          CreatedApiKey: '../modules/identity/identity.model.js#CreatedApiKeyModel',
          ProductConnection: '../graphql/pagination.js#ConnectionModel<ProductRow>',
          ReviewConnection: '../graphql/pagination.js#ConnectionModel<ReviewRow>',
          OrderConnection: '../graphql/pagination.js#ConnectionModel<OrderRow>',
          ProductEdge: '../graphql/pagination.js#EdgeModel<ProductRow>',
          ReviewEdge: '../graphql/pagination.js#EdgeModel<ReviewRow>',
          OrderEdge: '../graphql/pagination.js#EdgeModel<OrderRow>',
        },
      },
    },
  },
};

export default config;
