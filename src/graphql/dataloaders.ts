import DataLoader from 'dataloader';
import type { Cursor } from './pagination.js';

// The DataLoader shapes every module's loaders are built from. Loaders are created per request
// (in the context), so nothing is cached across viewers.

/** A page request for a child list of one parent. */
export interface ChildPageKey {
  parentId: string;
  /** first + 1: the extra row tells hasNextPage. */
  limit: number;
  after: Cursor | null;
}

const pageKey = (k: ChildPageKey) =>
  `${k.parentId}|${k.limit}|${k.after?.createdAt.toISOString() ?? ''}|${k.after?.id ?? ''}`;

/** Rows by id, one statement per batch; a missing id loads as null. */
export function byId<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>) {
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
export function childPages<T>(
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

/** Counts per parent id, one statement per batch; a parent with no rows counts 0. */
export function counts(load: (ids: readonly string[]) => Promise<Map<string, number>>) {
  return new DataLoader<string, number>(async (ids) => {
    const map = await load(ids);
    return ids.map((id) => map.get(id) ?? 0);
  });
}
