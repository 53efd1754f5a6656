import type { TestApp } from './app.js';

/** Inserts products directly (fixtures, not the feature under test); returns their ids in page order. */
export async function createProducts(t: TestApp, count: number, prefix = 'Product'): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix} ${String(i).padStart(4, '0')}`);
  const base = Date.UTC(2026, 0, 1);
  const rows = await t.app.db.query<{ id: string }>(
    `INSERT INTO products (name, description, price_cents, created_at)
     SELECT n, 'desc', 100 + i, to_timestamp($2::double precision + i * 60)
       FROM unnest($1::text[]) WITH ORDINALITY AS x(n, i) RETURNING id`,
    [names, base / 1000],
  );
  return rows.map((r) => r.id);
}

export async function createReviews(
  t: TestApp,
  productIds: string[],
  authorId: string,
  perProduct: number,
): Promise<void> {
  await t.app.db.query(
    `INSERT INTO reviews (product_id, author_id, rating, body, created_at)
     SELECT p, $2, 4, 'review ' || g, now() - g * interval '1 second'
       FROM unnest($1::uuid[]) AS p, generate_series(1, $3::int) AS g`,
    [productIds, authorId, perProduct],
  );
}

export const ORDER_ADDRESS = { line1: '1 Test Street', city: 'London', postcode: 'SW1A 1AA', country: 'GB' };
