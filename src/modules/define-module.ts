import type { AuthMechanisms } from '../auth/mechanisms.js';
import type { Db } from '../db/client.js';
import type { Resolvers } from '../generated/graphql.js';
import type { Action, RuleSet } from '../policy/policy.js';

/** What app composition hands a module's service factory. */
export interface ModuleDeps<Repository> {
  /** This module's repository: what its createRepository returned (undefined without one). */
  repository: Repository;
  /** The authentication mechanisms (tokens, sessions, login throttle, mailer). */
  auth: AuthMechanisms;
}

/**
 * A domain as one vertical slice. Adding a domain is a migration, schema/<name>.graphql, one folder
 * under src/modules/ whose index.ts calls defineModule(), and one line in MODULES
 * (src/modules/index.ts). Everything the app composes (repositories, services, loaders, resolvers,
 * policy rules) is derived from that list; nothing else is edited.
 *
 * Module definitions must not refer to the composed types (Repositories, Services, Loaders): they
 * are derived from the definitions. A service names what it uses instead (its own repository,
 * `RequestScope<…Loaders>`), and resolvers live in their own file with an explicit `Resolvers` type.
 */
export interface ModuleDefinition<
  Name extends string = string,
  Repository = unknown,
  Service = unknown,
  Loaders extends object = object,
  A extends Action = Action,
> {
  /** The key of this module's repository, service and (in the context) nothing else: unique. */
  readonly name: Name;
  createRepository?: (db: Db) => Repository;
  createService: (deps: ModuleDeps<Repository>) => Service;
  /** Per-request DataLoaders over the module's own repository; their names must be unique app-wide. */
  createLoaders?: (repository: Repository) => Loaders;
  /** Resolvers of the module's schema file (and its fields on other modules' types). */
  resolvers: Resolvers;
  /** One rule per action the module adds to the catalogue (`interface Actions`). */
  rules?: RuleSet<A>;
}

export function defineModule<
  const Name extends string,
  Repository = undefined,
  Service = unknown,
  Loaders extends object = Record<never, never>,
  A extends Action = never,
>(
  definition: ModuleDefinition<Name, Repository, Service, Loaders, A>,
): ModuleDefinition<Name, Repository, Service, Loaders, A> {
  return definition;
}
