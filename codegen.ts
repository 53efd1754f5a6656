import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

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

// Resolver types are generated from the SDL and committed; `npm test` runs `codegen --check`
// so that a schema change without regenerated types fails CI instead of drifting silently.
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  generates: {
    // The schema's enums (Role, Scope, OrderStatus, Country) as const objects and string unions,
    // with no imports: the one source for these lists, safe to import from anywhere (auth,
    // policy, security) without a cycle through the resolver types and the context.
    'src/generated/schema-types.ts': {
      plugins: ['typescript'],
      config: { onlyEnums: true, enumsAsConst: true, namingConvention: { enumValues: 'keep' } },
    },
    'src/generated/graphql.ts': {
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
