import DataLoader from 'dataloader';
import type { OrderItemRow, OrderRow, ProductRow, ReviewRow, UserRow } from './db/rows.js';
import type { Cursor } from './graphql/pagination.js';
import type { Repositories } from './repositories.js';

/** A page request for a child list of one parent. */
export interface ChildPageKey {
  parentId: string;
  /** first + 1: the extra row tells hasNextPage. */
  limit: number;
  after: Cursor | null;
}

const pageKey = (k: ChildPageKey) =>
  `${k.parentId}|${k.limit}|${k.after?.createdAt.toISOString() ?? ''}|${k.after?.id ?? ''}`;

function byId<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await load(ids);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

/**
 * Child pages batched per distinct (limit, after): all parents asking for the same page shape
 * are served by one statement, so a nested list costs a constant number of queries.
 */
function childPages<T>(
  load: (parentIds: readonly string[], limit: number, after: Cursor | null) => Promise<T[]>,
  parentOf: (row: T) => string,
) {
  return new DataLoader<ChildPageKey, T[], string>(
    async (keys) => {
      const groups = new Map<string, ChildPageKey[]>();
      for (const k of keys) {
        const g = `${k.limit}|${k.after?.createdAt.toISOString() ?? ''}|${k.after?.id ?? ''}`;
        const list = groups.get(g) ?? [];
        list.push(k);
        groups.set(g, list);
      }
      const results = new Map<string, T[]>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const first = group[0];
          if (!first) return;
          const rows = await load(
            group.map((k) => k.parentId),
            first.limit,
            first.after,
          );
          const byParent = new Map<string, T[]>();
          for (const row of rows) {
            const list = byParent.get(parentOf(row)) ?? [];
            list.push(row);
            byParent.set(parentOf(row), list);
          }
          for (const k of group) results.set(pageKey(k), byParent.get(k.parentId) ?? []);
        }),
      );
      return keys.map((k) => results.get(pageKey(k)) ?? []);
    },
    { cacheKeyFn: pageKey },
  );
}

function counts(load: (ids: readonly string[]) => Promise<Map<string, number>>) {
  return new DataLoader<string, number>(async (ids) => {
    const map = await load(ids);
    return ids.map((id) => map.get(id) ?? 0);
  });
}

/** Per-request loaders: created in the context, so nothing is cached across viewers. */
export function createLoaders(repos: Repositories) {
  return {
    userById: byId<UserRow>((ids) => repos.users.findByIds(ids)),
    productById: byId<ProductRow>((ids) => repos.products.findByIds(ids)),
    orderById: byId<OrderRow>((ids) => repos.orders.findByIds(ids)),
    reviewsByProduct: childPages<ReviewRow>(
      (ids, limit, after) => repos.reviews.pageByProducts(ids, limit, after),
      (r) => r.productId,
    ),
    reviewCountByProduct: counts((ids) => repos.reviews.countByProducts(ids)),
    ordersByOwner: childPages<OrderRow>(
      (ids, limit, after) => repos.orders.pageByOwners(ids, limit, after),
      (o) => o.ownerId,
    ),
    orderCountByOwner: counts((ids) => repos.orders.countByOwners(ids)),
    itemsByOrder: new DataLoader<string, OrderItemRow[]>(async (ids) => {
      const rows = await repos.orders.itemsByOrders(ids);
      return ids.map((id) => rows.filter((r) => r.orderId === id));
    }),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
