import DataLoader from 'dataloader';
import { byId, childPages, counts } from '../../graphql/dataloaders.js';
import type { OrderItemRow, OrderRow } from './orders.model.js';
import type { OrdersRepository } from './orders.repository.js';

export function createOrdersLoaders(orders: OrdersRepository) {
  return {
    orderById: byId<OrderRow>((ids) => orders.findByIds(ids)),
    ordersByOwner: childPages<OrderRow>(
      (ids, limit, after) => orders.pageByOwners(ids, limit, after),
      (o) => o.ownerId,
    ),
    orderCountByOwner: counts((ids) => orders.countByOwners(ids)),
    itemsByOrder: new DataLoader<string, OrderItemRow[]>(async (ids) => {
      const rows = await orders.itemsByOrders(ids);
      return ids.map((id) => rows.filter((r) => r.orderId === id));
    }),
  };
}
export type OrdersLoaders = ReturnType<typeof createOrdersLoaders>;
