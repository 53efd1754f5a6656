import type { GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getDirective } from '@graphql-tools/utils';

/**
 * Every @public Mutation field with @rateLimit must say whom it charges (`per: NETWORK` or
 * `per: VIEWER`). A @public mutation is one an anonymous caller may make, which is where the
 * operations called before signing in live (register, login, password reset, refresh): keyed
 * per viewer, each bearer token or API key sent along would buy a fresh bucket. So a new such
 * field cannot fall to the per-viewer default unnoticed; whoever adds it decides, in the SDL.
 * (@auth fields need a signed-in caller: per viewer, i.e. per account, is right for them.)
 * Returns the offending coordinates.
 */
export function findImplicitRateLimitKeying(schema: GraphQLSchema): string[] {
  const mutation = schema.getMutationType();
  if (!mutation) return [];
  // A @rateLimit on the type applies to each field without its own (graphql-rate-limit-directive).
  const onType = getDirective(schema, mutation, 'rateLimit');
  const problems: string[] = [];
  for (const field of Object.values(mutation.getFields())) {
    if (!getDirective(schema, field, 'public')?.length) continue;
    const limits = getDirective(schema, field, 'rateLimit') ?? onType ?? [];
    if (limits.some((args) => args.per === undefined || args.per === null))
      problems.push(`${mutation.name}.${field.name}`);
  }
  return problems;
}

/** Start-up check on bare SDL (a protection's checkTypeDefs): runs before anything is opened. */
export function assertTypeDefsRateLimitKeying(typeDefs: readonly string[]): void {
  const problems = findImplicitRateLimitKeying(makeExecutableSchema({ typeDefs: [...typeDefs] }));
  if (problems.length > 0) {
    throw new Error(
      'Every @public Mutation field with @rateLimit must say whom it charges: `per: NETWORK` for an ' +
        'operation called before signing in (a token or API key sent along must not buy a fresh ' +
        `bucket), or \`per: VIEWER\`. Fix these fields:\n  ${problems.join('\n  ')}`,
    );
  }
}
