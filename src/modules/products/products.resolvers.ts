import type { Resolvers } from '../../generated/graphql.js';

export const productsResolvers: Resolvers = {
  Query: {
    products: (_p, args, ctx) => ctx.services.products.list(ctx, args),
    product: (_p, args, ctx) => ctx.services.products.get(ctx, args),
  },
  Mutation: {
    createProduct: (_p, args, ctx) => ctx.services.products.create(ctx, args.input),
  },
  ProductConnection: { totalCount: (c) => c.totalCount() },
};
