import type { Resolvers } from './generated/graphql.js';
import { DateTimeScalar } from './graphql/scalars.js';
import { toSafeText } from './graphql/safe-text.js';
import { notFound } from './errors.js';

// Resolvers are thin: they pick arguments and call a service with the request scope. Every rule
// (who may, what is valid) lives in the services and the policy.
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    health: () => 'ok',
    viewer: (_p, _a, ctx) => ctx.services.users.viewer(ctx),
    user: (_p, args, ctx) => ctx.services.users.get(ctx, args),
    products: (_p, args, ctx) => ctx.services.products.list(ctx, args),
    product: (_p, args, ctx) => ctx.services.products.get(ctx, args),
    order: (_p, args, ctx) => ctx.services.orders.get(ctx, args),
    myOrders: (_p, args, ctx) => ctx.services.orders.mine(ctx, args),
    apiKeys: (_p, _a, ctx) => ctx.services.apiKeys.list(ctx),
  },
  Mutation: {
    _noop: () => null,
    register: (_p, args, ctx) => ctx.services.auth.register(ctx, args.input),
    login: (_p, args, ctx) => ctx.services.auth.login(ctx, args.input),
    refreshSession: (_p, _a, ctx) => ctx.services.auth.refreshSession(ctx),
    logout: (_p, _a, ctx) => ctx.services.auth.logout(ctx),
    logoutEverywhere: (_p, _a, ctx) => ctx.services.auth.logoutEverywhere(ctx),
    requestPasswordReset: (_p, args, ctx) => ctx.services.auth.requestPasswordReset(ctx, args),
    resetPassword: (_p, args, ctx) => ctx.services.auth.resetPassword(ctx, args),
    updateProfile: (_p, args, ctx) => ctx.services.users.updateProfile(ctx, args.input),
    createProduct: (_p, args, ctx) => ctx.services.products.create(ctx, args.input),
    addReview: (_p, args, ctx) => ctx.services.reviews.add(ctx, args.input),
    createOrder: (_p, args, ctx) => ctx.services.orders.create(ctx, args.input),
    cancelOrder: (_p, args, ctx) => ctx.services.orders.cancel(ctx, args),
    createApiKey: (_p, args, ctx) => ctx.services.apiKeys.create(ctx, args.input),
    revokeApiKey: (_p, args, ctx) => ctx.services.apiKeys.revoke(ctx, args),
  },
  AuthPayload: {
    user: (payload, _a, ctx) => ctx.services.users.authenticatedAs(payload.user),
  },
  User: {
    email: (user, _a, ctx) => ctx.services.users.email(ctx, user),
    orders: (user, args, ctx) => ctx.services.orders.ofUser(ctx, user, args),
  },
  Product: {
    reviews: (product, args, ctx) => ctx.services.reviews.forProduct(ctx, product, args),
  },
  Review: {
    body: (review) => toSafeText(review.body),
    author: async (review, _a, ctx) =>
      (await ctx.loaders.userById.load(review.authorId)) ?? Promise.reject(notFound('User')),
    product: async (review, _a, ctx) =>
      (await ctx.loaders.productById.load(review.productId)) ?? Promise.reject(notFound('Product')),
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
  ProductConnection: { totalCount: (c) => c.totalCount() },
  ReviewConnection: { totalCount: (c) => c.totalCount() },
  OrderConnection: { totalCount: (c) => c.totalCount() },
};
