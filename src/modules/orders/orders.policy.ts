import { actsFor, defineRules, isAdminUser, userOrKeyWith } from '../../policy/policy.js';
import type { UserRow } from '../users/users.model.js';
import type { OrderRow } from './orders.model.js';

declare module '../../policy/policy.js' {
  interface Actions {
    'order:create': null;
    'order:read': OrderRow;
    'order:cancel': OrderRow;
    'order:list-own': null;
    /** `User.orders`: decided on the user whose orders are listed. */
    'user:read-orders': UserRow;
  }
}

export const ordersRules = defineRules({
  'order:create': (v) => userOrKeyWith(v, 'ORDERS_WRITE'),
  'order:read': (v, order) =>
    isAdminUser(v) || (userOrKeyWith(v, 'ORDERS_READ') && actsFor(v, order.ownerId)),
  // Only the owner cancels: an admin may look at an order but not act on a customer's behalf.
  'order:cancel': (v, order) => userOrKeyWith(v, 'ORDERS_WRITE') && actsFor(v, order.ownerId),
  'order:list-own': (v) => userOrKeyWith(v, 'ORDERS_READ'),
  'user:read-orders': (v, user) => isAdminUser(v) || (userOrKeyWith(v, 'ORDERS_READ') && actsFor(v, user.id)),
});
