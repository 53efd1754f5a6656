import {
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getDirective, type DirectableGraphQLObject } from '@graphql-tools/utils';

/** How many of @auth and @public a field or a type carries (exactly one is required). */
const annotations = (schema: GraphQLSchema, node: DirectableGraphQLObject) =>
  (getDirective(schema, node, 'auth')?.length ?? 0) + (getDirective(schema, node, 'public')?.length ?? 0);

export function isRootType(schema: GraphQLSchema, type: GraphQLNamedType): boolean {
  return (
    type === schema.getQueryType() ||
    type === schema.getMutationType() ||
    type === schema.getSubscriptionType()
  );
}

/**
 * Secure by default: every field of Query, Mutation and Subscription must carry exactly one of
 * @auth and @public. Returns the offending coordinates; start-up refuses to run with any.
 */
export function findUnannotatedRootFields(schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const n = annotations(schema, field);
      if (n !== 1) problems.push(`${root.name}.${field.name}${n === 0 ? '' : ' (both @auth and @public)'}`);
    }
  }
  return problems;
}

/**
 * Every other object type must carry exactly one type-level @auth or @public: its `scopes` are the
 * API-key scopes that may reach it (the edge check of auth-directive.ts). Interfaces and unions
 * are refused: a field returning one reaches several types, decided only at resolveType.
 */
export function findUndeclaredTypes(schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isInterfaceType(type) || isUnionType(type)) {
      const kind = isInterfaceType(type) ? 'interface' : 'union';
      problems.push(
        `${kind} ${type.name}: interfaces and unions need a scope rule at resolveType: not supported yet`,
      );
    } else if (isObjectType(type) && !isRootType(schema, type)) {
      const n = annotations(schema, type);
      if (n !== 1) problems.push(`type ${type.name}${n === 0 ? '' : ' (both @auth and @public)'}`);
    }
  }
  return problems;
}

export function assertAnnotated(schema: GraphQLSchema): void {
  const problems = [...findUnannotatedRootFields(schema), ...findUndeclaredTypes(schema)];
  if (problems.length > 0) {
    throw new Error(
      'Every Query and Mutation field, and every other object type (naming the API-key scopes that ' +
        `may reach it), needs exactly one of @auth or @public. Fix these:\n  ${problems.join('\n  ')}`,
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
