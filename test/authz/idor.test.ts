import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { assertOk, type GqlResponse } from '../helpers/graphql.js';
import { createApiKey, insertUser, type TestUser } from '../helpers/users.js';
import { insertReview, makeOrder, makeProduct, startAuthzApp } from './authz-helpers.js';

// Object- and property-level authorization (OWASP API1/API3): by-id operations on another user's
// objects answer exactly like ids that do not exist, and no nested path leads to another user's
// e-mail or orders.

/** What a client can compare between two answers: status, data and errors (code, message, path). */
function observable(res: GqlResponse) {
  return {
    status: res.status,
    data: res.body.data ?? null,
    errors: (res.body.errors ?? []).map((e) => ({
      message: e.message,
      code: e.extensions?.code,
      path: e.path,
    })),
  };
}

describe('IDOR: not yours is indistinguishable from not there', () => {
  let t: TestApp;
  let alice: TestUser;
  let mallory: TestUser;
  let admin: TestUser;
  let productId: string;
  let aliceOrder: string;

  before(async () => {
    t = await startAuthzApp();
    [alice, mallory, admin] = await Promise.all([
      insertUser(t),
      insertUser(t),
      insertUser(t, { role: 'ADMIN' }),
    ]);
    productId = await makeProduct(t);
    aliceOrder = await makeOrder(t, alice, productId);
    await insertReview(t, productId, alice.id, 'Alice liked it');
  });
  after(async () => {
    await t?.stop();
  });

  const byId = [
    {
      op: 'order',
      query: 'query($id: ID!) { order(id: $id) { id owner { email } } }',
      message: 'Order not found.',
    },
    {
      op: 'cancelOrder',
      query: 'mutation($id: ID!) { cancelOrder(id: $id) { id } }',
      message: 'Order not found.',
    },
  ];
  for (const { op, query, message } of byId) {
    it(`${op}: another customer's order answers exactly like a missing one (NOT_FOUND, same message)`, async () => {
      const notYours = await t.gql(query, { id: aliceOrder }, mallory.headers);
      const missing = await t.gql(query, { id: randomUUID() }, mallory.headers);
      assert.deepEqual(observable(notYours), observable(missing));
      assert.equal(notYours.status, 200);
      assert.equal(notYours.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
      assert.equal(notYours.body.errors?.[0]?.message, message);
      assert.ok(!notYours.text.includes(alice.email));
      // The owner still gets the order, untouched by the attempt.
      const mine = await t.gql(
        'query($id: ID!) { order(id: $id) { id status } }',
        { id: aliceOrder },
        alice.headers,
      );
      assertOk(mine);
      assert.deepEqual(mine.body.data?.order, { id: aliceOrder, status: 'PENDING' });
    });
  }

  it("revokeApiKey: another user's key answers like a missing one, and keeps working", async () => {
    const key = await createApiKey(t, alice, ['PRODUCTS_READ']);
    const query = 'mutation($id: ID!) { revokeApiKey(id: $id) }';
    const notYours = await t.gql(query, { id: key.id }, mallory.headers);
    const missing = await t.gql(query, { id: randomUUID() }, mallory.headers);
    assert.deepEqual(observable(notYours), observable(missing));
    assert.equal(notYours.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal(notYours.body.errors?.[0]?.message, 'API key not found.');
    // Even an admin cannot revoke a customer's key: keys are account management of their owner.
    const byAdmin = await t.gql(query, { id: key.id }, admin.headers);
    assert.deepEqual(observable(byAdmin), observable(missing));
    const stillWorks = await t.gql('{ products(first: 1) { totalCount } }', {}, key.headers);
    assertOk(stillWorks);
    // The owner can revoke it; then the key is refused at the door (401).
    assertOk(await t.gql(query, { id: key.id }, alice.headers));
    const revoked = await t.gql('{ products(first: 1) { totalCount } }', {}, key.headers);
    assert.equal(revoked.status, 401);
    assert.equal(revoked.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('user(id): a customer gets the same FORBIDDEN for existing and missing users; an admin gets NOT_FOUND only for missing', async () => {
    const query = 'query($id: ID!) { user(id: $id) { id email } }';
    const existing = await t.gql(query, { id: alice.id }, mallory.headers);
    const missing = await t.gql(query, { id: randomUUID() }, mallory.headers);
    assert.deepEqual(observable(existing), observable(missing));
    assert.equal(existing.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.ok(!existing.text.includes(alice.email));

    const adminMissing = await t.gql(query, { id: randomUUID() }, admin.headers);
    assert.equal(adminMissing.status, 200);
    assert.equal(adminMissing.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal(adminMissing.body.errors?.[0]?.message, 'User not found.');
    const adminExisting = await t.gql(query, { id: alice.id }, admin.headers);
    assertOk(adminExisting);
    assert.deepEqual(adminExisting.body.data?.user, { id: alice.id, email: alice.email });
  });

  it("an API key of another user reaches no one else's order either", async () => {
    const key = await createApiKey(t, mallory, ['ORDERS_READ', 'ORDERS_WRITE']);
    for (const { query } of byId) {
      const notYours = await t.gql(query, { id: aliceOrder }, key.headers);
      const missing = await t.gql(query, { id: randomUUID() }, key.headers);
      assert.deepEqual(observable(notYours), observable(missing));
      assert.equal(notYours.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    }
  });

  it("myOrders and User.orders list only the viewer's own orders", async () => {
    const malloryOrder = await makeOrder(t, mallory, productId);
    const res = await t.gql(
      '{ myOrders(first: 100) { totalCount edges { node { id } } } viewer { orders(first: 100) { edges { node { id } } } } }',
      {},
      mallory.headers,
    );
    assertOk(res);
    const ids = (res.body.data?.myOrders as { edges: { node: { id: string } }[] }).edges.map(
      (e) => e.node.id,
    );
    assert.deepEqual(ids, [malloryOrder]);
    assert.equal((res.body.data?.myOrders as { totalCount: number }).totalCount, 1);
    assert.ok(!res.text.includes(aliceOrder));
  });
});

describe('nested paths to another user’s data', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  let productId: string;
  let aliceOrder: string;

  before(async () => {
    t = await startAuthzApp();
    [alice, bob, admin] = await Promise.all([insertUser(t), insertUser(t), insertUser(t, { role: 'ADMIN' })]);
    productId = await makeProduct(t);
    aliceOrder = await makeOrder(t, alice, productId);
    await insertReview(t, productId, alice.id, 'Alice review');
  });
  after(async () => {
    await t?.stop();
  });

  const REVIEW_AUTHOR_EMAIL =
    'query($id: ID!) { product(id: $id) { reviews(first: 5) { edges { node { author { id email } } } } } }';
  const authorOf = (res: GqlResponse) =>
    (
      res.body.data?.product as {
        reviews: { edges: { node: { author: { id: string; email: string | null } } }[] };
      }
    ).reviews.edges[0]?.node.author;

  it('review.author.email is null for anonymous and other customers, visible to the author and admins', async () => {
    for (const headers of [{}, bob.headers]) {
      const res = await t.gql(REVIEW_AUTHOR_EMAIL, { id: productId }, headers);
      assertOk(res);
      assert.deepEqual(authorOf(res), { id: alice.id, email: null });
      assert.ok(!res.text.includes(alice.email));
    }
    for (const [who, headers] of [
      ['author', alice.headers],
      ['admin', admin.headers],
    ] as const) {
      const res = await t.gql(REVIEW_AUTHOR_EMAIL, { id: productId }, headers);
      assertOk(res);
      assert.equal(authorOf(res)?.email, alice.email, who);
    }
  });

  it('review.author.email is null even for the author’s own API key (keys are not account access)', async () => {
    const key = await createApiKey(t, alice, ['PRODUCTS_READ']);
    const res = await t.gql(REVIEW_AUTHOR_EMAIL, { id: productId }, key.headers);
    assertOk(res);
    assert.equal(authorOf(res)?.email, null);
  });

  const REVIEW_AUTHOR_ORDERS =
    'query($id: ID!) { product(id: $id) { reviews(first: 5) { edges { node { author { orders(first: 5) { edges { node { id totalCents } } } } } } } } }';

  it('product.reviews.author.orders: anonymous → UNAUTHENTICATED, another customer → NOT_FOUND, nothing leaks', async () => {
    const anon = await t.gql(REVIEW_AUTHOR_ORDERS, { id: productId });
    assert.equal(anon.status, 200);
    assert.equal(anon.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.deepEqual(anon.body.errors?.[0]?.path?.slice(-2), ['author', 'orders']);
    assert.ok(!anon.text.includes(aliceOrder));

    const other = await t.gql(REVIEW_AUTHOR_ORDERS, { id: productId }, bob.headers);
    assert.equal(other.status, 200);
    assert.equal(other.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal(other.body.errors?.[0]?.message, 'User not found.');
    assert.ok(!other.text.includes(aliceOrder));

    const key = await createApiKey(t, bob, ['PRODUCTS_READ', 'ORDERS_READ']);
    const byKey = await t.gql(REVIEW_AUTHOR_ORDERS, { id: productId }, key.headers);
    assert.equal(byKey.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.ok(!byKey.text.includes(aliceOrder));
  });

  it('product.reviews.author.orders: the author and an admin see the orders', async () => {
    for (const headers of [alice.headers, admin.headers]) {
      const res = await t.gql(REVIEW_AUTHOR_ORDERS, { id: productId }, headers);
      assertOk(res);
      assert.ok(res.text.includes(aliceOrder));
    }
  });

  it('order.owner.email and order.owner.orders: the owner and an admin only', async () => {
    const query = 'query($id: ID!) { order(id: $id) { owner { email orders(first: 5) { totalCount } } } }';
    for (const headers of [alice.headers, admin.headers]) {
      const res = await t.gql(query, { id: aliceOrder }, headers);
      assertOk(res);
      assert.deepEqual(res.body.data?.order, { owner: { email: alice.email, orders: { totalCount: 1 } } });
    }
    const other = await t.gql(query, { id: aliceOrder }, bob.headers);
    assert.equal(other.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal(other.body.data?.order, null);
    assert.ok(!other.text.includes(alice.email));
  });

  it('order.items.product.reviews.author: another author’s e-mail stays hidden from the order owner', async () => {
    await insertReview(t, productId, bob.id, 'Bob review');
    const res = await t.gql(
      'query($id: ID!) { order(id: $id) { items { product { reviews(first: 10) { edges { node { author { id email } } } } } } } }',
      { id: aliceOrder },
      alice.headers,
    );
    assertOk(res);
    assert.ok(res.text.includes(bob.id));
    assert.ok(!res.text.includes(bob.email));
  });

  it('user(id).orders and user(id).email: admins only', async () => {
    const res = await t.gql(
      'query($id: ID!) { user(id: $id) { email orders(first: 5) { edges { node { id } } } } }',
      { id: alice.id },
      admin.headers,
    );
    assertOk(res);
    assert.ok(res.text.includes(aliceOrder) && res.text.includes(alice.email));
  });

  it('login (and verifyEmail) payloads show the new session’s own e-mail (self), nobody else’s', async () => {
    const res = await t.gql('mutation($input: LoginInput!) { login(input: $input) { user { id email } } }', {
      input: { email: alice.email, password: alice.password },
    });
    assertOk(res);
    assert.deepEqual((res.body.data?.login as { user: unknown }).user, { id: alice.id, email: alice.email });
  });

  it('no type exposes a hash, token version or internal column', async () => {
    const res = await t.gql('{ __schema { types { name fields { name } } } }');
    assertOk(res);
    const fields = (
      res.body.data?.__schema as { types: { name: string; fields: { name: string }[] | null }[] }
    ).types
      // Output object types: what a response can carry (root fields are operations, not data).
      .filter((ty) => !ty.name.startsWith('__') && ty.name !== 'Query' && ty.name !== 'Mutation')
      .flatMap((ty) => (ty.fields ?? []).map((f) => `${ty.name}.${f.name}`));
    const suspicious = fields.filter((f) =>
      /hash|password|tokenVersion|oidc|keyHash|passwordHash|internal/i.test(f),
    );
    assert.deepEqual(suspicious, []);
    // The only secrets in the schema are the ones handed to their owner, once.
    assert.deepEqual(fields.filter((f) => /secret|token/i.test(f)).sort(), [
      'AuthPayload.accessToken',
      'CreatedApiKey.secret',
    ]);
  });
});
