import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { resolvers } from './modules/index.js';
import { projectRoot } from './project-root.js';
import { assertAnnotated } from './security/assert-annotated.js';
import { applyAuthDirectives } from './security/auth-directive.js';

/** The SDL of schema/*.graphql, in file order. */
export function loadTypeDefs(dir = join(projectRoot(), 'schema')): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

export interface SchemaOptions {
  typeDefs?: string[];
  /** Schema transformers applied before @auth (e.g. @rateLimit), innermost first. */
  transforms?: ((schema: GraphQLSchema) => GraphQLSchema)[];
}

/**
 * The executable schema: SDL + resolvers, the secure-by-default check, then the directive
 * wrappers. @auth is applied last so it runs first: a refused viewer spends no rate-limit points.
 */
export function buildSchema(options: SchemaOptions = {}): GraphQLSchema {
  let schema = makeExecutableSchema({ typeDefs: options.typeDefs ?? loadTypeDefs(), resolvers });
  assertAnnotated(schema);
  for (const transform of options.transforms ?? []) schema = transform(schema);
  return applyAuthDirectives(schema);
}
