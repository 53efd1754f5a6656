import { notFound } from '../../errors.js';
import type { Resolvers } from '../../generated/graphql.js';

export const reviewsResolvers: Resolvers = {
  Mutation: {
    addReview: (_p, args, ctx) => ctx.services.reviews.add(ctx, args.input),
  },
  Product: {
    reviews: (product, args, ctx) => ctx.services.reviews.forProduct(ctx, product, args),
  },
  Review: {
    author: async (review, _a, ctx) =>
      (await ctx.loaders.userById.load(review.authorId)) ?? Promise.reject(notFound('User')),
    product: async (review, _a, ctx) =>
      (await ctx.loaders.productById.load(review.productId)) ?? Promise.reject(notFound('Product')),
  },
  ReviewConnection: { totalCount: (c) => c.totalCount() },
};
