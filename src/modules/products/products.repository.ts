import type { Queryable } from '../../db/client.js';
import { cursorParams, type Cursor } from '../../graphql/pagination.js';
import type { ProductRow } from './products.model.js';

const COLUMNS = 'id, name, description, price_cents AS "priceCents", created_at AS "createdAt"';

/** Escapes LIKE wildcards so a search for "50%" matches the text "50%", not everything. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function createProductsRepository(db: Queryable) {
  return {
    async findByIds(ids: readonly string[]): Promise<ProductRow[]> {
      return db.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = ANY($1::uuid[])`, [ids]);
    },
    /** Up to `limit` products after the cursor, newest first, optionally filtered by name. */
    async page(limit: number, after: Cursor | null, search: string | null): Promise<ProductRow[]> {
      const [ts, id] = cursorParams(after);
      return db.query<ProductRow>(
        `SELECT ${COLUMNS} FROM products
          WHERE ($1::text IS NULL OR name ILIKE $1::text ESCAPE '\\')
            AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
          ORDER BY created_at DESC, id DESC
          LIMIT $4`,
        [search === null ? null : likePattern(search), ts, id, limit],
      );
    },
    async count(search: string | null): Promise<number> {
      const rows = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM products WHERE ($1::text IS NULL OR name ILIKE $1::text ESCAPE '\\')`,
        [search === null ? null : likePattern(search)],
      );
      return rows[0]?.n ?? 0;
    },
    async create(input: { name: string; description: string; priceCents: number }): Promise<ProductRow> {
      const rows = await db.query<ProductRow>(
        `INSERT INTO products (name, description, price_cents) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
        [input.name, input.description, input.priceCents],
      );
      const row = rows[0];
      if (!row) throw new Error('insert returned no row');
      return row;
    },
  };
}
export type ProductsRepository = ReturnType<typeof createProductsRepository>;
