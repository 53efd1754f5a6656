import type { Resolvers } from '../../generated/graphql.js';

// Resolvers are thin: they pick arguments and call a service with the request scope. Every rule
// (who may, what is valid) lives in the services and the policy.
export const usersResolvers: Resolvers = {
  Query: {
    viewer: (_p, _a, ctx) => ctx.services.users.viewer(ctx),
    user: (_p, args, ctx) => ctx.services.users.get(ctx, args),
  },
  Mutation: {
    updateProfile: (_p, args, ctx) => ctx.services.users.updateProfile(ctx, args.input),
  },
  User: {
    email: (user, _a, ctx) => ctx.services.users.email(ctx, user),
  },
};
