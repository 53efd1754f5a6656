import type { GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getDirective } from '@graphql-tools/utils';

/**
 * Secure by default: every field of Query, Mutation and Subscription must carry exactly one of
 * @auth and @public. Returns the offending coordinates; start-up refuses to run with any.
 */
export function findUnannotatedRootFields(schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const n =
        (getDirective(schema, field, 'auth')?.length ?? 0) +
        (getDirective(schema, field, 'public')?.length ?? 0);
      if (n !== 1) problems.push(`${root.name}.${field.name}${n === 0 ? '' : ' (both @auth and @public)'}`);
    }
  }
  return problems;
}

export function assertAnnotated(schema: GraphQLSchema): void {
  const problems = findUnannotatedRootFields(schema);
  if (problems.length > 0) {
    throw new Error(
      `Every Query and Mutation field needs exactly one of @auth or @public. Fix these fields:\n  ${problems.join('\n  ')}`,
    );
  }
}

/**
 * The same check on bare SDL, before any resolver or store exists: createApp runs it first, so an
 * unprotected field stops start-up before a database, Redis or socket is opened.
 */
export function assertTypeDefsAnnotated(typeDefs: readonly string[]): void {
  assertAnnotated(makeExecutableSchema({ typeDefs: [...typeDefs] }));
}
