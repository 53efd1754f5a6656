import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/auth/passwords.js';
import { createTokenService, type TokenService } from '../../src/auth/tokens.js';
import type { Scope } from '../../src/generated/schema-types.js';
import { startApp, type GqlResponse, type StartOptions, type TestApp } from '../helpers/app.js';
import { ORDER_ADDRESS } from '../helpers/fixtures.js';

export const ALL_SCOPES: readonly Scope[] = ['PRODUCTS_READ', 'ORDERS_READ', 'ORDERS_WRITE', 'REVIEWS_WRITE'];

/**
 * The real app (PGlite) with the per-IP limiter and the cost budget opened wide: these suites
 * send many requests from one address on purpose, and test authorization, not limits.
 */
export function startAuthzApp(options: Pick<StartOptions, 'typeDefs'> = {}): Promise<TestApp> {
  return startApp({
    ...options,
    env: { HTTP_RATE_LIMIT: '1000000', COST_BUDGET_PER_HOUR: '100000000', LOG_LEVEL: 'info' },
  });
}

export interface Actor {
  id: string;
  email: string;
  password: string;
  headers: Record<string, string>;
}

const tokenServices = new WeakMap<TestApp, Promise<TokenService>>();

/**
 * A user inserted directly (a fixture, not the feature under test) with a real password hash and
 * a real access token signed with the app's own key: no register/login calls, so the identity
 * rate limits never interfere with authorization tests.
 */
export async function makeUser(t: TestApp, role: 'CUSTOMER' | 'ADMIN' = 'CUSTOMER'): Promise<Actor> {
  const email = `authz-${randomBytes(5).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const [row] = await t.app.db.query<{ id: string }>(
    'INSERT INTO users (email, name, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING id',
    [email, `User ${email.slice(6, 11)}`, await hashPassword(password), role],
  );
  assert.ok(row);
  let tokens = tokenServices.get(t);
  if (!tokens) {
    tokens = createTokenService(t.app.config);
    tokenServices.set(t, tokens);
  }
  const { token } = await (await tokens).sign(row.id, 0);
  return { id: row.id, email, password, headers: { authorization: `Bearer ${token}` } };
}

/** Creates an API key through the real `createApiKey` mutation; returns its id and X-API-Key header. */
export async function makeApiKey(
  t: TestApp,
  owner: Actor,
  scopes: readonly Scope[],
): Promise<{ id: string; secret: string; headers: Record<string, string> }> {
  const res = await t.gql(
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }',
    { input: { name: 'test key', scopes } },
    owner.headers,
  );
  const created = res.body.data?.createApiKey as { secret: string; apiKey: { id: string } } | undefined;
  if (!created) throw new Error(`createApiKey failed: ${res.text}`);
  return { id: created.apiKey.id, secret: created.secret, headers: { 'x-api-key': created.secret } };
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
export async function makeOrder(t: TestApp, owner: Actor, productId: string): Promise<string> {
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

/** The single error of a response: its code, message and the HTTP status, for exact assertions. */
export function onlyError(res: GqlResponse): { status: number; code: unknown; message: string } {
  assert.equal(res.body.errors?.length, 1, `expected exactly one error, got ${res.text}`);
  const [error] = res.body.errors ?? [];
  return { status: res.status, code: error?.extensions?.code, message: error?.message ?? '' };
}

/** Asserts a refusal: exact HTTP status and extensions.code, and that no data leaked for `field`. */
export function assertRefused(res: GqlResponse, code: string, status = 200, field?: string): void {
  assert.equal(res.status, status, `status for ${res.text}`);
  assert.equal(res.body.errors?.[0]?.extensions?.code, code, `code for ${res.text}`);
  if (field !== undefined) assert.equal(res.body.data?.[field] ?? null, null, `no data for ${field}`);
}

/** Asserts success: HTTP 200, no errors at all. */
export function assertOk(res: GqlResponse): void {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.errors, undefined, res.text);
}
