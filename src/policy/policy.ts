import type { Viewer } from '../auth/viewer.js';
import type { ApiKeyRow, OrderRow, Scope, UserRow } from '../db/rows.js';
import { forbidden, notFound, unauthenticated } from '../errors.js';

/**
 * The action catalogue: every authorization decision in the app is one of these, with the type of
 * resource it is decided on. Adding an action without a rule is a type error (see RULES).
 */
export interface Actions {
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
const isAdminUser = (v: Viewer) => v.kind === 'user' && v.role === 'ADMIN';
const hasScope = (v: Viewer, scope: Scope) => v.kind === 'apiKey' && v.scopes.includes(scope);
/** A signed-in user, or an API key holding `scope` (keys act for their owner, narrowed). */
const userOrKeyWith = (v: Viewer, scope: Scope) => isUser(v) || hasScope(v, scope);
const actsFor = (v: Viewer, userId: string) => v.kind !== 'anonymous' && v.userId === userId;

// Deny by default: an action is allowed only when its rule says so. API keys never reach account
// management (keys, sessions, profile), and act only within their scopes.
const RULES: { [A in Action]: Rule<A> } = {
  'product:create': (v) => isAdminUser(v),
  'review:create': (v) => userOrKeyWith(v, 'REVIEWS_WRITE'),
  'order:create': (v) => userOrKeyWith(v, 'ORDERS_WRITE'),
  'order:read': (v, order) =>
    isAdminUser(v) || (userOrKeyWith(v, 'ORDERS_READ') && actsFor(v, order.ownerId)),
  'order:cancel': (v, order) => userOrKeyWith(v, 'ORDERS_WRITE') && actsFor(v, order.ownerId),
  'order:list-own': (v) => userOrKeyWith(v, 'ORDERS_READ'),
  'user:read': (v, user) => isAdminUser(v) || (isUser(v) && v.userId === user.id),
  'user:read-email': (v, user) => isAdminUser(v) || (isUser(v) && v.userId === user.id),
  'user:read-orders': (v, user) => isAdminUser(v) || (userOrKeyWith(v, 'ORDERS_READ') && actsFor(v, user.id)),
  'user:update-profile': (v) => isUser(v),
  'apikey:manage': (v, key) => isUser(v) && (key === null || key.userId === v.userId),
  'session:manage': (v) => isUser(v),
};

export function can<A extends Action>(viewer: Viewer, action: A, resource: Actions[A]): boolean {
  const rule = RULES[action] as Rule<A> | undefined;
  return rule ? rule(viewer, resource) : false;
}

export interface AssertOptions {
  /**
   * For object-level checks: answer NOT_FOUND instead of FORBIDDEN, so that "not yours" is
   * indistinguishable from "not there" (no id probing).
   */
  hideAs?: string;
}

/** Throws the right error when `viewer` may not perform `action` on `resource`. */
export function assertCan<A extends Action>(
  viewer: Viewer,
  action: A,
  resource: Actions[A],
  options: AssertOptions = {},
): void {
  if (can(viewer, action, resource)) return;
  if (options.hideAs !== undefined) throw notFound(options.hideAs);
  if (viewer.kind === 'anonymous') throw unauthenticated();
  throw forbidden();
}
