import type { Viewer } from '../auth/viewer.js';
import type { ApiKeyRow, OrderRow, Scope, UserRow } from '../db/rows.js';
import { forbidden, notFound, unauthenticated } from '../errors.js';
import { markSecurityEvent } from '../audit/marks.js';

/**
 * The action catalogue: every authorization decision in the app is one of these, with the type of
 * resource it is decided on. Adding an action without a rule is a type error (see RULES).
 */
export interface Actions {
  'product:read': null;
  'product:create': null;
  'review:create': null;
  'order:create': null;
  'order:read': OrderRow;
  'order:cancel': OrderRow;
  'order:list-own': null;
  'user:read': UserRow;
  'user:read-email': UserRow;
  'user:read-orders': UserRow;
  'user:update-profile': null;
  'apikey:manage': ApiKeyRow | null;
  'session:manage': null;
}
export type Action = keyof Actions;

type Rule<A extends Action> = (viewer: Viewer, resource: Actions[A]) => boolean;

const isUser = (v: Viewer): v is Extract<Viewer, { kind: 'user' }> => v.kind === 'user';
// Only a signed-in user session is ever an admin: an admin's API key is narrowed to its scopes and
// to its owner's own data, so a leaked key never carries admin power.
const isAdminUser = (v: Viewer) => v.kind === 'user' && v.role === 'ADMIN';
const hasScope = (v: Viewer, scope: Scope) => v.kind === 'apiKey' && v.scopes.includes(scope);
/** A signed-in user, or an API key holding `scope` (keys act for their owner, narrowed). */
const userOrKeyWith = (v: Viewer, scope: Scope) => isUser(v) || hasScope(v, scope);
const actsFor = (v: Viewer, userId: string) => v.kind !== 'anonymous' && v.userId === userId;
const isSelf = (v: Viewer, userId: string) => isUser(v) && v.userId === userId;

// Deny by default: an action is allowed only when its rule says so. API keys never reach account
// management (keys, sessions, profile, e-mail addresses), and act only within their scopes.
const RULES: { [A in Action]: Rule<A> } = {
  // The catalogue is public; a key reads it only when it was given PRODUCTS_READ.
  'product:read': (v) => v.kind !== 'apiKey' || hasScope(v, 'PRODUCTS_READ'),
  'product:create': (v) => isAdminUser(v),
  'review:create': (v) => userOrKeyWith(v, 'REVIEWS_WRITE'),
  'order:create': (v) => userOrKeyWith(v, 'ORDERS_WRITE'),
  'order:read': (v, order) =>
    isAdminUser(v) || (userOrKeyWith(v, 'ORDERS_READ') && actsFor(v, order.ownerId)),
  // Only the owner cancels: an admin may look at an order but not act on a customer's behalf.
  'order:cancel': (v, order) => userOrKeyWith(v, 'ORDERS_WRITE') && actsFor(v, order.ownerId),
  'order:list-own': (v) => userOrKeyWith(v, 'ORDERS_READ'),
  // `user(id)` is an admin tool (API.md); a user reads themself through `viewer`.
  'user:read': (v) => isAdminUser(v),
  'user:read-email': (v, user) => isAdminUser(v) || isSelf(v, user.id),
  'user:read-orders': (v, user) => isAdminUser(v) || (userOrKeyWith(v, 'ORDERS_READ') && actsFor(v, user.id)),
  'user:update-profile': (v) => isUser(v),
  'apikey:manage': (v, key) => isUser(v) && (key === null || key.userId === v.userId),
  'session:manage': (v) => isUser(v),
};

/** Every action of the catalogue (tests check that each one has a row in the policy table). */
export const ACTIONS = Object.freeze(Object.keys(RULES) as Action[]);

export function can<A extends Action>(viewer: Viewer, action: A, resource: Actions[A]): boolean {
  const rule = RULES[action] as Rule<A> | undefined;
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
    details: { action, resourceId: resourceId(resource), hidden: options.hideAs !== undefined },
  };
  if (options.hideAs !== undefined) throw markSecurityEvent(notFound(options.hideAs), mark);
  if (viewer.kind === 'anonymous') throw markSecurityEvent(unauthenticated(), mark);
  throw markSecurityEvent(forbidden(), mark);
}
