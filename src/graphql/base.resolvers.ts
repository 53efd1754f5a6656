import type { Resolvers } from '../generated/graphql.js';
import { DateTimeScalar } from './scalars.js';

/** Resolvers of schema/base.graphql: the shared scalar and the root fields no module owns. */
export const baseResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    health: () => 'ok',
  },
  Mutation: {
    _noop: () => null,
  },
};
