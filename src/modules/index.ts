import type { AuthMechanisms } from '../auth/mechanisms.js';
import type { Db } from '../db/client.js';
import type { Resolvers } from '../generated/graphql.js';
import { baseResolvers } from '../graphql/base.resolvers.js';
import { installPolicy, type Rule } from '../policy/policy.js';
import type { ModuleDeps } from './define-module.js';
import { identityModule } from './identity/index.js';
import { ordersModule } from './orders/index.js';
import { productsModule } from './products/index.js';
import { reviewsModule } from './reviews/index.js';
import { usersModule } from './users/index.js';

/** The one list of modules: everything below is composed from it. */
export const MODULES = [identityModule, usersModule, productsModule, reviewsModule, ordersModule] as const;

type Module = (typeof MODULES)[number];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** Every module's repository, by module name. */
export type Repositories = { [M in Module as M['name']]: ReturnType<NonNullable<M['createRepository']>> };
/** Every module's service, by module name (`ctx.services.orders`). */
export type Services = { [M in Module as M['name']]: ReturnType<M['createService']> };
/** Every module's per-request loaders, in one object (`ctx.loaders.userById`). */
export type Loaders = UnionToIntersection<ReturnType<NonNullable<Module['createLoaders']>>>;
/** The whole catalogue's rules: a type error below when a module declares an action without a rule. */
type ComposedRules = UnionToIntersection<NonNullable<Module['rules']>>;

// Names key the composed objects: a repeated one would silently replace a module.
const names = new Set<string>();
for (const m of MODULES) {
  if (names.has(m.name)) throw new Error(`Module "${m.name}" is listed twice.`);
  names.add(m.name);
}

/** Puts the properties of `part` on `into`, refusing one that is already there. */
function assignOnce(into: Record<string, unknown>, part: object, what: string): void {
  for (const [key, value] of Object.entries(part)) {
    if (Object.hasOwn(into, key)) throw new Error(`${what} "${key}" is defined by two modules.`);
    into[key] = value;
  }
}

export function createRepositories(db: Db): Repositories {
  return Object.fromEntries(MODULES.map((m) => [m.name, m.createRepository?.(db)])) as Repositories;
}

/** The services, created once at start-up; each gets its own module's repository. */
export function createServices(repos: Repositories, auth: AuthMechanisms): Services {
  return Object.fromEntries(
    MODULES.map((m) => {
      // Sound by construction: repos[m.name] is what m.createRepository returned.
      const create = m.createService as (deps: ModuleDeps<unknown>) => unknown;
      return [m.name, create({ repository: repos[m.name], auth })];
    }),
  ) as Services;
}

/** Per-request loaders: created in the context, so nothing is cached across viewers. */
export function createLoaders(repos: Repositories): Loaders {
  const loaders: Record<string, unknown> = {};
  for (const m of MODULES) {
    const create = m.createLoaders as ((repository: unknown) => object) | undefined;
    if (create) assignOnce(loaders, create(repos[m.name]), 'Loader');
  }
  return loaders as Loaders;
}

/**
 * The modules' resolver maps merged into one (schema.ts). A field resolved by two modules is a
 * start-up error, never a silent override.
 */
function mergeResolvers(maps: readonly Resolvers[]): Resolvers {
  const merged: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [typeName, value] of Object.entries(map)) {
      const existing = merged[typeName];
      // Scalars (GraphQLScalarType instances) are taken whole; type field maps are merged.
      if (existing === undefined) {
        merged[typeName] = Object.getPrototypeOf(value) === Object.prototype ? { ...value } : value;
      } else if (Object.getPrototypeOf(existing) === Object.prototype) {
        assignOnce(existing as Record<string, unknown>, value as object, `Resolver of ${typeName}, field`);
      } else {
        throw new Error(`Resolver "${typeName}" is defined by two modules.`);
      }
    }
  }
  return merged as Resolvers;
}

export const resolvers: Resolvers = mergeResolvers([baseResolvers, ...MODULES.map((m) => m.resolvers)]);

function composeRules(): ComposedRules {
  const rules: Record<string, Rule<never>> = {};
  for (const m of MODULES) if (m.rules) assignOnce(rules, m.rules, 'Policy rule for');
  return rules as ComposedRules;
}

/**
 * Every action of the catalogue. Importing this module installs the policy (deny by default until
 * then); installPolicy takes a RuleSet of the whole merged `Actions`, so the composed rules must
 * cover every action each module declares.
 */
export const ACTIONS = installPolicy(composeRules());
