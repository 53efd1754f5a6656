import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { buildSchema, type GraphQLSchema } from 'graphql';

/**
 * Each module declares which GraphQL type its model types stand for, beside the type itself:
 * `/** @graphql Order *\/ export interface OrderRow`. Connections and edges of a mapped type map
 * onto the shared pagination models. A new module's models are picked up with no edit here.
 */
function moduleMappers(): Record<string, string> {
  const mappers: Record<string, string> = {};
  const marker = /@graphql (\w+)\s*\*\/\s*export interface (\w+)/g;
  for (const module of readdirSync('src/modules', { withFileTypes: true })) {
    if (!module.isDirectory()) continue;
    for (const file of readdirSync(join('src/modules', module.name))) {
      if (!file.endsWith('.model.ts')) continue;
      const source = readFileSync(join('src/modules', module.name, file), 'utf8');
      const path = `../modules/${module.name}/${file.replace(/\.ts$/, '.js')}`;
      for (const [, type, model] of source.matchAll(marker)) {
        if (!type || !model) continue;
        if (mappers[type]) throw new Error(`codegen: ${type} is mapped twice (${model} in ${path})`);
        mappers[type] = `${path}#${model}`;
      }
    }
  }
  // Relay connections of a mapped type (`type OrderConnection`) use the shared pagination models.
  const sdl = readdirSync('schema')
    .map((file) => readFileSync(join('schema', file), 'utf8'))
    .join('\n');
  for (const [type, mapper] of Object.entries(mappers)) {
    const model = mapper.slice(mapper.indexOf('#') + 1);
    if (sdl.includes(`type ${type}Connection `))
      mappers[`${type}Connection`] = `../graphql/pagination.js#ConnectionModel<${model}>`;
    if (sdl.includes(`type ${type}Edge `))
      mappers[`${type}Edge`] = `../graphql/pagination.js#EdgeModel<${model}>`;
  }
  return mappers;
}

/**
 * schema/*.graphql as one schema, in the order the files are written (the loader of `schema:`
 * sorts every type and field alphabetically; here `id` stays first and each type's description
 * beside it). `extend type` blocks are folded into their type, so a client reads each type once.
 */
function authoredSchema(): GraphQLSchema {
  const files = readdirSync('schema').filter((file) => file.endsWith('.graphql'));
  return buildSchema(
    files
      .sort()
      .map((file) => readFileSync(join('schema', file), 'utf8'))
      .join('\n'),
  );
}

// Resolver types are generated from the SDL and committed; `npm test` runs `codegen --check`
// so that a schema change without regenerated types fails CI instead of drifting silently.
// Each output names its schema: a root `schema:` would be merged into the printed one.
const config: CodegenConfig = {
  generates: {
    // The merged schema for clients' own code generation (production has introspection off).
    // With the directives: @cost/@listSize price each field, @auth/@public and @rateLimit say
    // who may call it and how often. Read by no server code: the server loads schema/ only.
    'docs/schema.graphql': {
      schema: [authoredSchema()],
      plugins: ['schema-ast'],
      config: { includeDirectives: true },
    },
    // The schema's enums (Role, Scope, OrderStatus, Country) as const objects and string unions,
    // with no imports: the one source for these lists, safe to import from anywhere (auth,
    // policy, security) without a cycle through the resolver types and the context.
    'src/generated/schema-types.ts': {
      schema: 'schema/*.graphql',
      plugins: ['typescript'],
      config: { onlyEnums: true, enumsAsConst: true, namingConvention: { enumValues: 'keep' } },
    },
    'src/generated/graphql.ts': {
      schema: 'schema/*.graphql',
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        contextType: '../context.js#GraphQLContext',
        useIndexSignature: false,
        strictScalars: true,
        scalars: { DateTime: 'Date', ID: 'string', JSON: 'unknown' },
        mappers: moduleMappers(),
      },
    },
  },
};

export default config;
