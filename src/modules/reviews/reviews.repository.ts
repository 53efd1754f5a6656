import type { Queryable } from '../../db/client.js';
import { cursorParams, type Cursor } from '../../graphql/pagination.js';
import type { ReviewRow } from './reviews.model.js';

const COLUMNS =
  'id, product_id AS "productId", author_id AS "authorId", rating, body, created_at AS "createdAt"';

export function createReviewsRepository(db: Queryable) {
  return {
    /**
     * The first `limit` reviews of each product after the cursor, in ONE statement whatever the
     * number of products (a window function ranks them per product).
     */
    async pageByProducts(
      productIds: readonly string[],
      limit: number,
      after: Cursor | null,
    ): Promise<ReviewRow[]> {
      const [ts, id] = cursorParams(after);
      return db.query<ReviewRow>(
        `SELECT ${COLUMNS} FROM (
           SELECT r.*, row_number() OVER (PARTITION BY r.product_id ORDER BY r.created_at DESC, r.id DESC) AS rn
             FROM reviews r
            WHERE r.product_id = ANY($1::uuid[])
              AND ($2::timestamptz IS NULL OR (r.created_at, r.id) < ($2::timestamptz, $3::uuid))
         ) ranked
         WHERE rn <= $4
         ORDER BY product_id, created_at DESC, id DESC`,
        [productIds, ts, id, limit],
      );
    },
    async countByProducts(productIds: readonly string[]): Promise<Map<string, number>> {
      const rows = await db.query<{ id: string; n: number }>(
        'SELECT product_id AS id, count(*)::int AS n FROM reviews WHERE product_id = ANY($1::uuid[]) GROUP BY product_id',
        [productIds],
      );
      return new Map(rows.map((r) => [r.id, r.n]));
    },
    async create(input: {
      productId: string;
      authorId: string;
      rating: number;
      body: string;
    }): Promise<ReviewRow> {
      const rows = await db.query<ReviewRow>(
        `INSERT INTO reviews (product_id, author_id, rating, body) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
        [input.productId, input.authorId, input.rating, input.body],
      );
      const row = rows[0];
      if (!row) throw new Error('insert returned no row');
      return row;
    },
  };
}
export type ReviewsRepository = ReturnType<typeof createReviewsRepository>;
