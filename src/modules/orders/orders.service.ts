import { badUserInput, notFound } from '../../errors.js';
import { parsePage, toConnection, type ConnectionModel } from '../../graphql/pagination.js';
import type { RequestScope } from '../../graphql/request-scope.js';
import { assertCan, can } from '../../policy/policy.js';
import { parseInput } from '../../validation.js';
import type { UserRow } from '../users/users.model.js';
import { createOrderInput, orderId } from './orders.inputs.js';
import type { OrdersLoaders } from './orders.loaders.js';
import type { OrderItemRow, OrderRow } from './orders.model.js';
import type { OrdersRepository } from './orders.repository.js';

type ServiceScope = RequestScope<OrdersLoaders>;

export function createOrdersService(orders: OrdersRepository) {
  const ordersOf = async (
    scope: ServiceScope,
    ownerId: string,
    args: { first: number; after?: string | null },
  ): Promise<ConnectionModel<OrderRow>> => {
    const page = parsePage(args);
    const rows = await scope.loaders.ordersByOwner.load({
      parentId: ownerId,
      limit: page.first + 1,
      after: page.after,
    });
    return toConnection(rows, page.first, () => scope.loaders.orderCountByOwner.load(ownerId));
  };

  return {
    /** Owner or admin; anyone else gets NOT_FOUND, exactly as for an id that does not exist. */
    async get(scope: ServiceScope, args: { id: string }): Promise<OrderRow> {
      const { id } = parseInput(orderId, args);
      const order = await scope.loaders.orderById.load(id);
      if (!order) throw notFound('Order');
      assertCan(scope.viewer, 'order:read', order, { hideAs: 'Order' });
      return order;
    },
    async mine(scope: ServiceScope, args: { first: number; after?: string | null }) {
      assertCan(scope.viewer, 'order:list-own', null);
      if (scope.viewer.kind === 'anonymous') throw notFound('Order');
      return ordersOf(scope, scope.viewer.userId, args);
    },
    /** `User.orders`: only the user themself or an admin; others see NOT_FOUND. */
    async ofUser(scope: ServiceScope, user: UserRow, args: { first: number; after?: string | null }) {
      assertCan(scope.viewer, 'user:read-orders', user, { hideAs: 'User' });
      return ordersOf(scope, user.id, args);
    },
    items(scope: ServiceScope, order: OrderRow): Promise<OrderItemRow[]> {
      return scope.loaders.itemsByOrder.load(order.id);
    },
    async create(scope: ServiceScope, input: unknown): Promise<OrderRow> {
      assertCan(scope.viewer, 'order:create', null);
      const data = parseInput(createOrderInput, input, 'input');
      if (scope.viewer.kind === 'anonymous') throw new Error('unreachable: policy admits no anonymous buyer');
      const result = await orders.create({
        ownerId: scope.viewer.userId,
        promoCode: data.promoCode ?? null,
        shippingAddress: data.shippingAddress,
        items: data.items,
      });
      if (!result.ok && result.totalTooLarge) {
        throw badUserInput({ 'input.items': 'The order total is too large: order fewer items.' });
      }
      if (!result.ok) {
        const fieldErrors: Record<string, string> = {};
        data.items.forEach((item, i) => {
          if (result.missingProductIds.includes(item.productId))
            fieldErrors[`input.items.${i}.productId`] = 'No such product.';
        });
        throw badUserInput(fieldErrors);
      }
      return result.order;
    },
    /** Owner only, while PENDING. Not yours → NOT_FOUND; yours but not pending → BAD_USER_INPUT. */
    async cancel(scope: ServiceScope, args: { id: string }): Promise<OrderRow> {
      const { id } = parseInput(orderId, args);
      const order = await scope.loaders.orderById.load(id);
      if (!order) throw notFound('Order');
      // Hidden as NOT_FOUND from anyone who may not even see the order; an admin, who can read
      // it anyway, learns nothing from a plain FORBIDDEN.
      const hideAs = can(scope.viewer, 'order:read', order) ? undefined : 'Order';
      assertCan(scope.viewer, 'order:cancel', order, { hideAs });
      const cancelled = await orders.cancelIfPending(id);
      if (!cancelled)
        throw badUserInput({ id: 'Only a PENDING order can be cancelled.' }, 'Order cannot be cancelled.');
      scope.loaders.orderById.clear(id).prime(id, cancelled);
      return cancelled;
    },
  };
}
export type OrdersService = ReturnType<typeof createOrdersService>;
