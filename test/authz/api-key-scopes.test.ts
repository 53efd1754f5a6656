import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Scope } from '../../src/generated/schema-types.js';
import type { TestApp } from '../helpers/app.js';
import { ORDER_ADDRESS } from '../helpers/fixtures.js';
import { assertOk, assertRefused } from '../helpers/graphql.js';
import { createApiKey, insertUser, type TestUser } from '../helpers/users.js';
import { ALL_SCOPES, insertReview, makeOrder, makeProduct, startAuthzApp } from './authz-helpers.js';

// API keys reach only the fields their scopes allow (the specification below, written out by hand
// rather than read from the SDL, so a wrong directive in the schema fails here), and never account
// management, whatever their scopes and whoever their owner.

const SCOPE_OF: Record<string, Scope> = {
  products: 'PRODUCTS_READ',
  product: 'PRODUCTS_READ',
  order: 'ORDERS_READ',
  myOrders: 'ORDERS_READ',
  createOrder: 'ORDERS_WRITE',
  cancelOrder: 'ORDERS_WRITE',
  addReview: 'REVIEWS_WRITE',
};

interface Op {
  field: string;
  query: string;
  vars?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
}

describe('API-key scopes', () => {
  let t: TestApp;
  let owner: TestUser;
  let productId: string;

  before(async () => {
    t = await startAuthzApp();
    owner = await insertUser(t);
    productId = await makeProduct(t);
  });
  after(async () => {
    await t?.stop();
  });

  // `o` owns the key and every object the operations use (one owner per key keeps the per-user
  // createApiKey limit out of the picture).
  const ops = (o: TestUser): Op[] => [
    { field: 'products', query: '{ products(first: 1) { totalCount } }' },
    {
      field: 'product',
      query: 'query($id: ID!) { product(id: $id) { id } }',
      vars: () => ({ id: productId }),
    },
    {
      field: 'order',
      query: 'query($id: ID!) { order(id: $id) { id } }',
      vars: async () => ({ id: await makeOrder(t, o, productId) }),
    },
    { field: 'myOrders', query: '{ myOrders(first: 1) { totalCount } }' },
    {
      field: 'createOrder',
      query: 'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id status } }',
      vars: () => ({ input: { items: [{ productId, quantity: 1 }], shippingAddress: ORDER_ADDRESS } }),
    },
    {
      field: 'cancelOrder',
      query: 'mutation($id: ID!) { cancelOrder(id: $id) { status } }',
      vars: async () => ({ id: await makeOrder(t, o, productId) }),
    },
    {
      field: 'addReview',
      query: 'mutation($p: ID!) { addReview(input: { productId: $p, rating: 4, body: "ok" }) { id } }',
      vars: () => ({ p: productId }),
    },
    // Account management and everything else without a scope: closed to every key.
    { field: 'viewer', query: '{ viewer { id } }' },
    { field: 'apiKeys', query: '{ apiKeys { id } }' },
    {
      field: 'createApiKey',
      query: 'mutation { createApiKey(input: { name: "x", scopes: [PRODUCTS_READ] }) { secret } }',
    },
    {
      field: 'revokeApiKey',
      query: 'mutation($id: ID!) { revokeApiKey(id: $id) }',
      vars: async () => ({ id: (await createApiKey(t, o, ['PRODUCTS_READ'])).id }),
    },
    { field: 'logoutEverywhere', query: 'mutation { logoutEverywhere }' },
    { field: 'updateProfile', query: 'mutation { updateProfile(input: { name: "Key" }) { id } }' },
    { field: 'user', query: 'query($id: ID!) { user(id: $id) { id } }', vars: () => ({ id: o.id }) },
    {
      field: 'createProduct',
      query: 'mutation { createProduct(input: { name: "n", description: "d", priceCents: 1 }) { id } }',
    },
    { field: 'health', query: '{ health }' },
  ];

  const keySets: Scope[][] = [...ALL_SCOPES.map((s) => [s]), [...ALL_SCOPES]];
  for (const scopes of keySets) {
    it(`a key with [${scopes.join(', ')}] reaches exactly the fields of its scopes`, async () => {
      const o = await insertUser(t);
      const key = await createApiKey(t, o, scopes);
      for (const op of ops(o)) {
        const res = await t.gql(op.query, op.vars ? await op.vars() : {}, key.headers);
        const allowed = SCOPE_OF[op.field] !== undefined && scopes.includes(SCOPE_OF[op.field] as Scope);
        if (allowed) assertOk(res);
        else {
          assertRefused(res, 'FORBIDDEN', 200, op.field);
          assert.equal(res.body.errors?.length, 1);
        }
      }
      // The owner's session was never touched by the key's attempts.
      assertOk(await t.gql('{ viewer { id } }', {}, o.headers));
    });
  }

  it("an admin's key with every scope carries no admin power", async () => {
    const admin = await insertUser(t, { role: 'ADMIN' });
    const key = await createApiKey(t, admin, ALL_SCOPES);
    const customerOrder = await makeOrder(t, owner, productId);
    assertRefused(
      await t.gql('query($id: ID!) { user(id: $id) { id } }', { id: owner.id }, key.headers),
      'FORBIDDEN',
      200,
      'user',
    );
    assertRefused(
      await t.gql(
        'mutation { createProduct(input: { name: "n", description: "d", priceCents: 1 }) { id } }',
        {},
        key.headers,
      ),
      'FORBIDDEN',
      200,
      'createProduct',
    );
    const notYours = await t.gql(
      'query($id: ID!) { order(id: $id) { id } }',
      { id: customerOrder },
      key.headers,
    );
    const missing = await t.gql(
      'query($id: ID!) { order(id: $id) { id } }',
      { id: randomUUID() },
      key.headers,
    );
    assertRefused(notYours, 'NOT_FOUND', 200, 'order');
    assert.deepEqual(notYours.body.errors, missing.body.errors);
    // The admin in person can.
    assertOk(await t.gql('query($id: ID!) { order(id: $id) { id } }', { id: customerOrder }, admin.headers));
  });

  it('a write-only key creates an order but cannot read further orders through it', async () => {
    const key = await createApiKey(t, owner, ['ORDERS_WRITE']);
    const res = await t.gql(
      'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id status owner { id email orders(first: 5) { totalCount } } } }',
      { input: { items: [{ productId, quantity: 1 }], shippingAddress: ORDER_ADDRESS } },
      key.headers,
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.errors?.length, 1);
    assert.equal(res.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.deepEqual(res.body.errors?.[0]?.path, ['createOrder', 'owner', 'orders']);
    assert.ok(!res.text.includes(owner.email), 'a key never sees its owner’s e-mail');
  });

  // Scopes on every path (issue 14): a key reaches a type only through a scope the type lists
  // (schema/*.graphql), on nested fields as on root fields. The full type × scope table is
  // test/authz/type-scopes.test.ts; these are the real requests.
  const ORDER_ITEMS_PRODUCT =
    'query Probe($id: ID!) { order(id: $id) { id items { quantity product { name } } } }';

  it('an ORDERS_READ key is refused the product of an order item (FORBIDDEN at OrderItem.product)', async () => {
    const key = await createApiKey(t, owner, ['ORDERS_READ']);
    const orderId = await makeOrder(t, owner, productId);
    const res = await t.gql(ORDER_ITEMS_PRODUCT, { id: orderId }, key.headers);
    assertRefused(res, 'FORBIDDEN', 200, 'order');
    assert.equal(res.body.errors?.length, 1);
    assert.equal(res.body.errors?.[0]?.message, 'This API key does not have the scope for this field.');
    assert.deepEqual(res.body.errors?.[0]?.path, ['order', 'items', 0, 'product']);
    assert.ok(!res.text.includes('Widget'), 'no product data leaks');
    const event = t.logs.find(
      (l) => l.event === 'authz_denied' && l.viewer === `apikey:${key.id}` && l.field === 'OrderItem.product',
    );
    assert.ok(event, 'authz_denied logged');
    assert.equal(event.reason, 'scope');
    assert.equal(event.operationName, 'Probe');
    // The order itself, without the product, is the key's to read.
    const own = await t.gql(
      'query($id: ID!) { order(id: $id) { id items { quantity unitPriceCents } } }',
      { id: orderId },
      key.headers,
    );
    assertOk(own);
    assert.deepEqual(own.body.data, {
      order: { id: orderId, items: [{ quantity: 1, unitPriceCents: 1250 }] },
    });
  });

  it('an ORDERS_READ + PRODUCTS_READ key reads the products of its order', async () => {
    const key = await createApiKey(t, owner, ['ORDERS_READ', 'PRODUCTS_READ']);
    const orderId = await makeOrder(t, owner, productId);
    const res = await t.gql(ORDER_ITEMS_PRODUCT, { id: orderId }, key.headers);
    assertOk(res);
    assert.deepEqual(res.body.data, {
      order: { id: orderId, items: [{ quantity: 1, product: { name: 'Widget' } }] },
    });
  });

  it('a PRODUCTS_READ key reads products with their reviews and the authors’ names', async () => {
    const author = await insertUser(t);
    const reviewed = await makeProduct(t);
    await insertReview(t, reviewed, author.id, 'Sturdy');
    const key = await createApiKey(t, owner, ['PRODUCTS_READ']);
    const res = await t.gql(
      `query($id: ID!) { product(id: $id) { name reviews(first: 5) {
          totalCount pageInfo { hasNextPage } edges { node { body rating author { name } } } } } }`,
      { id: reviewed },
      key.headers,
    );
    assertOk(res);
    assert.deepEqual(res.body.data, {
      product: {
        name: 'Widget',
        reviews: {
          totalCount: 1,
          pageInfo: { hasNextPage: false },
          edges: [{ node: { body: 'Sturdy', rating: 4, author: { name: 'Test User' } } }],
        },
      },
    });
  });

  it('a REVIEWS_WRITE key gets the review it created, but not its product (FORBIDDEN at Review.product)', async () => {
    const key = await createApiKey(t, owner, ['REVIEWS_WRITE']);
    const ADD = (selection: string) =>
      `mutation($p: ID!) { addReview(input: { productId: $p, rating: 5, body: "Great" }) { ${selection} } }`;
    const refused = await t.gql(ADD('id product { name }'), { p: productId }, key.headers);
    assertRefused(refused, 'FORBIDDEN', 200, 'addReview');
    assert.equal(refused.body.errors?.length, 1);
    assert.deepEqual(refused.body.errors?.[0]?.path, ['addReview', 'product']);
    assert.ok(!refused.text.includes('Widget'), 'no product data leaks');

    const ok = await t.gql(ADD('body rating author { id }'), { p: productId }, key.headers);
    assertOk(ok);
    assert.deepEqual(ok.body.data, { addReview: { body: 'Great', rating: 5, author: { id: owner.id } } });
  });

  it('a refused key is logged as authz_denied with the key id, never the secret', async () => {
    const key = await createApiKey(t, owner, ['PRODUCTS_READ']);
    const res = await t.gql('query Probe { apiKeys { id } }', {}, key.headers);
    assertRefused(res, 'FORBIDDEN', 200, 'apiKeys');
    const event = t.logs.find(
      (l) => l.event === 'authz_denied' && l.viewer === `apikey:${key.id}` && l.field === 'Query.apiKeys',
    );
    assert.ok(event, 'authz_denied logged');
    assert.equal(event.operationName, 'Probe');
    assert.equal(event.reason, 'scope');
    assert.equal(typeof event.requestId, 'string');
    assert.equal(typeof event.ip, 'string');
    assert.ok(!t.rawLogs.some((l) => l.includes(key.secret)), 'the secret never reaches the log');
  });

  it('a hidden not-yours is logged (the client cannot tell, the operator can)', async () => {
    const mallory = await insertUser(t);
    const orderId = await makeOrder(t, owner, productId);
    const res = await t.gql('query($id: ID!) { order(id: $id) { id } }', { id: orderId }, mallory.headers);
    assertRefused(res, 'NOT_FOUND', 200, 'order');
    const event = t.logs.find((l) => l.event === 'authz_denied' && l.resourceId === orderId);
    assert.ok(event);
    assert.equal(event.action, 'order:read');
    assert.equal(event.hidden, true);
    assert.equal(event.viewer, `user:${mallory.id}`);
  });
});
