import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { ORDER_ADDRESS } from '../helpers/fixtures.js';
import { assertOk, assertRefused } from '../helpers/graphql.js';
import { insertUser, plantVerificationToken, type TestUser } from '../helpers/users.js';
import { makeProduct, startAuthzApp } from './authz-helpers.js';

// Mass assignment (OWASP API3/API6): inputs are explicit types, so a field the client may not set
// is refused outright, never silently applied. Through variables GraphQL answers 400
// BAD_USER_INPUT (variable coercion); written inline it is 400 GRAPHQL_VALIDATION_FAILED.

describe('mass assignment', () => {
  let t: TestApp;
  let alice: TestUser;
  let productA: string;
  let productB: string;

  before(async () => {
    t = await startAuthzApp();
    alice = await insertUser(t);
    productA = await makeProduct(t, 1250);
    productB = await makeProduct(t, 399);
  });
  after(async () => {
    await t?.stop();
  });

  const me = async () => {
    const res = await t.gql('{ viewer { id name email role } }', {}, alice.headers);
    assertOk(res);
    return res.body.data?.viewer as { id: string; name: string; email: string; role: string };
  };

  it('updateProfile changes the name (trimmed) and nothing else', async () => {
    const res = await t.gql(
      'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id name email role } }',
      { input: { name: '  Alice Liddell  ' } },
      alice.headers,
    );
    assertOk(res);
    assert.deepEqual(res.body.data?.updateProfile, {
      id: alice.id,
      name: 'Alice Liddell',
      email: alice.email,
      role: 'CUSTOMER',
    });
  });

  for (const [field, value] of [
    ['role', 'ADMIN'],
    ['email', 'attacker@example.com'],
    ['id', '00000000-0000-4000-8000-000000000000'],
  ] as const) {
    it(`updateProfile refuses ${field} through variables (400 BAD_USER_INPUT) and inline (400 GRAPHQL_VALIDATION_FAILED)`, async () => {
      const before = await me();
      const viaVariables = await t.gql(
        'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id role email } }',
        { input: { name: 'Mallory', [field]: value } },
        alice.headers,
      );
      assertRefused(viaVariables, 'BAD_USER_INPUT', 400);
      assert.equal(viaVariables.body.data, undefined);
      const inline = await t.gql(
        `mutation { updateProfile(input: { name: "Mallory", ${field}: ${field === 'role' ? value : JSON.stringify(value)} }) { id } }`,
        {},
        alice.headers,
      );
      assertRefused(inline, 'GRAPHQL_VALIDATION_FAILED', 400);
      assert.deepEqual(await me(), before, 'nothing changed');
    });
  }

  it('createOrder computes prices and the total from the catalogue', async () => {
    const res = await t.gql(
      `mutation($input: CreateOrderInput!) {
         createOrder(input: $input) { totalCents status items { quantity unitPriceCents product { id } } owner { id } }
       }`,
      {
        input: {
          items: [
            { productId: productA, quantity: 2 },
            { productId: productB, quantity: 3 },
          ],
          shippingAddress: ORDER_ADDRESS,
        },
      },
      alice.headers,
    );
    assertOk(res);
    assert.deepEqual(res.body.data?.createOrder, {
      totalCents: 2 * 1250 + 3 * 399,
      status: 'PENDING',
      items: [
        { quantity: 2, unitPriceCents: 1250, product: { id: productA } },
        { quantity: 3, unitPriceCents: 399, product: { id: productB } },
      ],
      owner: { id: alice.id },
    });
  });

  const orderAttempts: [string, Record<string, unknown>][] = [
    ['items[].unitPriceCents', { items: [{ productId: '', quantity: 1, unitPriceCents: 1 }] }],
    ['items[].priceCents', { items: [{ productId: '', quantity: 1, priceCents: 1 }] }],
    ['totalCents', { totalCents: 1 }],
    ['status', { status: 'PAID' }],
    ['ownerId', { ownerId: '00000000-0000-4000-8000-000000000000' }],
  ];
  for (const [name, extra] of orderAttempts) {
    it(`createOrder refuses ${name} (400 BAD_USER_INPUT) and creates nothing`, async () => {
      const items = (extra.items as Record<string, unknown>[] | undefined)?.map((i) => ({
        ...i,
        productId: productA,
      }));
      const input = {
        items: [{ productId: productA, quantity: 1 }],
        shippingAddress: ORDER_ADDRESS,
        ...extra,
        ...(items ? { items } : {}),
      };
      const countBefore = await t.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
      const res = await t.gql(
        'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id totalCents } }',
        { input },
        alice.headers,
      );
      assertRefused(res, 'BAD_USER_INPUT', 400);
      const countAfter = await t.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
      assert.deepEqual(countAfter, countBefore);
    });
  }

  it('createOrder refuses an inline price with 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await t.gql(
      `mutation { createOrder(input: { items: [{ productId: "${productA}", quantity: 1, unitPriceCents: 1 }],
         shippingAddress: { line1: "1 Test Street", city: "London", postcode: "SW1A 1AA", country: GB }, totalCents: 1 }) { id } }`,
      {},
      alice.headers,
    );
    assertRefused(res, 'GRAPHQL_VALIDATION_FAILED', 400);
  });

  it('register refuses role (400 BAD_USER_INPUT); a plain registration is a CUSTOMER', async () => {
    const email = `ma-${randomBytes(4).toString('hex')}@example.com`;
    const attempt = await t.gql('mutation($input: RegisterInput!) { register(input: $input) }', {
      input: { email, password: 'a long enough password', name: 'Eve', role: 'ADMIN' },
    });
    assertRefused(attempt, 'BAD_USER_INPUT', 400);
    const rows = await t.app.db.query('SELECT 1 FROM users WHERE email = $1', [email]);
    assert.equal(rows.length, 0, 'no account was created by the refused request');

    const ok = await t.gql('mutation($input: RegisterInput!) { register(input: $input) }', {
      input: { email, password: 'a long enough password', name: 'Eve' },
    });
    assertOk(ok);
    const verified = await t.gql(
      'mutation($token: String!) { verifyEmail(token: $token) { user { role email } } }',
      {
        token: await plantVerificationToken(t, email),
      },
    );
    assertOk(verified);
    assert.deepEqual((verified.body.data?.verifyEmail as { user: unknown }).user, {
      role: 'CUSTOMER',
      email,
    });
  });

  it('addReview refuses authorId, and createApiKey refuses userId (400 BAD_USER_INPUT)', async () => {
    const review = await t.gql(
      'mutation($input: AddReviewInput!) { addReview(input: $input) { id } }',
      { input: { productId: productA, rating: 5, body: 'x', authorId: alice.id } },
      alice.headers,
    );
    assertRefused(review, 'BAD_USER_INPUT', 400);
    const key = await t.gql(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
      { input: { name: 'k', scopes: ['PRODUCTS_READ'], userId: alice.id } },
      alice.headers,
    );
    assertRefused(key, 'BAD_USER_INPUT', 400);
  });
});
