import type { Viewer } from '../auth/viewer.js';
import { forbidden, notFound, unauthenticated } from '../errors.js';
import type { Scope } from '../generated/schema-types.js';
import { markSecurityEvent } from '../audit/marks.js';

/**
 * The action catalogue: every authorization decision in the app is one of these, with the type of
 * resource it is decided on. It is empty here and filled by the modules, each declaring its own
 * actions by declaration merging, next to their rules:
 *
 *     declare module '../../policy/policy.js' {
 *       interface Actions { 'order:read': OrderRow }
 *     }
 *
 * The modules' rules are composed into one RuleSet (src/modules/index.ts) and installed at start-up;
 * installPolicy() takes a rule for every action of the merged interface, so an action without a
 * rule is a type error.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface Actions {}
export type Action = keyof Actions;

export type Rule<A extends Action> = (viewer: Viewer, resource: Actions[A]) => boolean;
/** One rule per action of `A`: a module's share of the catalogue, or (A = Action) all of it. */
export type RuleSet<A extends Action = Action> = { [K in A]: Rule<K> };

/** A module's rules, typed against the catalogue (resources are inferred per action). */
export function defineRules<A extends Action>(rules: RuleSet<A>): RuleSet<A> {
  return rules;
}

// Predicates the modules' rules are written with.
export const isUser = (v: Viewer): v is Extract<Viewer, { kind: 'user' }> => v.kind === 'user';
// Only a signed-in user session is ever an admin: an admin's API key is narrowed to its scopes and
// to its owner's own data, so a leaked key never carries admin power.
export const isAdminUser = (v: Viewer) => v.kind === 'user' && v.role === 'ADMIN';
export const hasScope = (v: Viewer, scope: Scope) => v.kind === 'apiKey' && v.scopes.includes(scope);
/** A signed-in user, or an API key holding `scope` (keys act for their owner, narrowed). */
export const userOrKeyWith = (v: Viewer, scope: Scope) => isUser(v) || hasScope(v, scope);
export const actsFor = (v: Viewer, userId: string) => v.kind !== 'anonymous' && v.userId === userId;
export const isSelf = (v: Viewer, userId: string) => isUser(v) && v.userId === userId;

// Deny by default: an action is allowed only when its rule says so, and nothing is allowed before
// the rules are installed. A Map, so no inherited property is ever mistaken for a rule.
let installed: ReadonlyMap<string, Rule<never>> | undefined;

/**
 * Installs the whole catalogue's rules, once per process (at start-up, by src/modules/index.ts);
 * returns the list of actions. A second installation is a start-up error, not a silent swap.
 */
export function installPolicy(rules: RuleSet): readonly Action[] {
  if (installed) throw new Error('The policy is already installed.');
  installed = new Map(Object.entries(rules) as [string, Rule<never>][]);
  return Object.freeze([...installed.keys()] as Action[]);
}

export function can<A extends Action>(viewer: Viewer, action: A, resource: Actions[A]): boolean {
  const rule = installed?.get(action) as Rule<A> | undefined;
  return rule ? rule(viewer, resource) : false;
}

export interface AssertOptions {
  /**
   * For object-level checks: answer NOT_FOUND (with the message a missing `hideAs` gets) instead
   * of FORBIDDEN, so that "not yours" is indistinguishable from "not there" (no id probing).
   */
  hideAs?: string | undefined;
}

const resourceId = (resource: unknown): string | undefined =>
  typeof resource === 'object' && resource !== null && 'id' in resource && typeof resource.id === 'string'
    ? resource.id
    : undefined;

/** Throws the right error when `viewer` may not perform `action` on `resource`. */
export function assertCan<A extends Action>(
  viewer: Viewer,
  action: A,
  resource: Actions[A],
  options: AssertOptions = {},
): void {
  if (can(viewer, action, resource)) return;
  // Every refusal is logged (as authz_denied, by the audit plugin); the client sees only the code.
  const mark = {
    event: 'authz_denied' as const,
    protection: 'policy',
    details: { action, resourceId: resourceId(resource), hidden: options.hideAs !== undefined },
  };
  if (options.hideAs !== undefined) throw markSecurityEvent(notFound(options.hideAs), mark);
  if (viewer.kind === 'anonymous') throw markSecurityEvent(unauthenticated(), mark);
  throw markSecurityEvent(forbidden(), mark);
}
