import type { Resolvers } from '../../generated/graphql.js';

export const identityResolvers: Resolvers = {
  Query: {
    apiKeys: (_p, _a, ctx) => ctx.services.identity.apiKeys.list(ctx),
  },
  Mutation: {
    register: (_p, args, ctx) => ctx.services.identity.register(ctx, args.input),
    verifyEmail: (_p, args, ctx) => ctx.services.identity.verifyEmail(ctx, args),
    login: (_p, args, ctx) => ctx.services.identity.login(ctx, args.input),
    refreshSession: (_p, _a, ctx) => ctx.services.identity.refreshSession(ctx),
    logout: (_p, _a, ctx) => ctx.services.identity.logout(ctx),
    logoutEverywhere: (_p, _a, ctx) => ctx.services.identity.logoutEverywhere(ctx),
    requestPasswordReset: (_p, args, ctx) => ctx.services.identity.requestPasswordReset(ctx, args),
    resetPassword: (_p, args, ctx) => ctx.services.identity.resetPassword(ctx, args),
    createApiKey: (_p, args, ctx) => ctx.services.identity.apiKeys.create(ctx, args.input),
    revokeApiKey: (_p, args, ctx) => ctx.services.identity.apiKeys.revoke(ctx, args),
  },
  AuthPayload: {
    user: (payload, _a, ctx) => ctx.services.users.authenticatedAs(payload.user),
  },
};
