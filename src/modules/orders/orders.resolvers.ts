import { notFound } from '../../errors.js';
import type { Resolvers } from '../../generated/graphql.js';

export const ordersResolvers: Resolvers = {
  Query: {
    order: (_p, args, ctx) => ctx.services.orders.get(ctx, args),
    myOrders: (_p, args, ctx) => ctx.services.orders.mine(ctx, args),
  },
  Mutation: {
    createOrder: (_p, args, ctx) => ctx.services.orders.create(ctx, args.input),
    cancelOrder: (_p, args, ctx) => ctx.services.orders.cancel(ctx, args),
  },
  User: {
    orders: (user, args, ctx) => ctx.services.orders.ofUser(ctx, user, args),
  },
  Order: {
    items: (order, _a, ctx) => ctx.services.orders.items(ctx, order),
    owner: async (order, _a, ctx) =>
      (await ctx.loaders.userById.load(order.ownerId)) ?? Promise.reject(notFound('User')),
  },
  OrderItem: {
    product: async (item, _a, ctx) =>
      (await ctx.loaders.productById.load(item.productId)) ?? Promise.reject(notFound('Product')),
  },
  OrderConnection: { totalCount: (c) => c.totalCount() },
};
