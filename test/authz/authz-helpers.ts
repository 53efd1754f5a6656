import assert from 'node:assert/strict';
import type { Scope } from '../../src/generated/schema-types.js';
import { startApp, type StartOptions, type TestApp } from '../helpers/app.js';
import { ORDER_ADDRESS } from '../helpers/fixtures.js';
import { TRUSTING_PROXY } from '../helpers/network.js';
import type { TestUser } from '../helpers/users.js';

export const ALL_SCOPES: readonly Scope[] = ['PRODUCTS_READ', 'ORDERS_READ', 'ORDERS_WRITE', 'REVIEWS_WRITE'];

/**
 * The real app with the HTTP limit and the cost budget opened wide: these suites send
 * many requests from one address on purpose, and test authorization, not limits. The loopback
 * proxy is trusted, so a suite may also send each caller from an address of its own.
 */
export function startAuthzApp(options: Pick<StartOptions, 'typeDefs'> = {}): Promise<TestApp> {
  return startApp({
    ...options,
    env: {
      ...TRUSTING_PROXY,
      HTTP_RATE_LIMIT: '1000000',
      COST_BUDGET_PER_HOUR: '100000000',
      LOG_LEVEL: 'info',
    },
  });
}

export async function makeProduct(t: TestApp, priceCents = 1250): Promise<string> {
  const [row] = await t.app.db.query<{ id: string }>(
    "INSERT INTO products (name, description, price_cents) VALUES ('Widget', 'A widget', $1) RETURNING id",
    [priceCents],
  );
  assert.ok(row);
  return row.id;
}

/** An order placed through the real API by `owner` (PENDING). */
export async function makeOrder(t: TestApp, owner: TestUser, productId: string): Promise<string> {
  const res = await t.gql(
    'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
    { input: { items: [{ productId, quantity: 1 }], shippingAddress: ORDER_ADDRESS } },
    owner.headers,
  );
  const order = res.body.data?.createOrder as { id: string } | undefined;
  if (!order) throw new Error(`createOrder failed: ${res.text}`);
  return order.id;
}

/** A review inserted directly (stored exactly as given). */
export async function insertReview(
  t: TestApp,
  productId: string,
  authorId: string,
  body: string,
): Promise<string> {
  const [row] = await t.app.db.query<{ id: string }>(
    'INSERT INTO reviews (product_id, author_id, rating, body) VALUES ($1, $2, 4, $3) RETURNING id',
    [productId, authorId, body],
  );
  assert.ok(row);
  return row.id;
}
