import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { resolvers } from './modules/index.js';
import { projectRoot } from './project-root.js';
import { assertAnnotated } from './security/execution/assert-annotated.js';
import { applyAuthDirectives } from './security/execution/auth-directive.js';

/** The SDL of schema/*.graphql, in file order. */
export function loadTypeDefs(dir = join(projectRoot(), 'schema')): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

export interface SchemaOptions {
  typeDefs?: string[];
  /**
   * Wraps the resolvers with the protections' directives (protect().transformSchema). Default:
   * @auth / @public alone, so a schema built without the app is never open by mistake.
   */
  transform?: (schema: GraphQLSchema) => GraphQLSchema;
}

/** The executable schema: SDL + resolvers, the secure-by-default check, then the resolver wrappers. */
export function buildSchema(options: SchemaOptions = {}): GraphQLSchema {
  const schema = makeExecutableSchema({ typeDefs: options.typeDefs ?? loadTypeDefs(), resolvers });
  assertAnnotated(schema);
  return (options.transform ?? applyAuthDirectives)(schema);
}
