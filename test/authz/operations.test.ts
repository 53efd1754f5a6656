import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Scope } from '../../src/generated/schema-types.js';
import { buildSchema } from '../../src/schema.js';
import type { TestApp } from '../helpers/app.js';
import { ORDER_ADDRESS } from '../helpers/fixtures.js';
import { fromIp, randomIp } from '../helpers/network.js';
import { createApiKey, insertUser, plantVerificationToken, type TestUser } from '../helpers/users.js';
import { ALL_SCOPES, makeOrder, makeProduct, startAuthzApp } from './authz-helpers.js';

// HTTP-level policy table: every Query and Mutation field × anonymous / customer / other customer /
// admin / API key with the field's scope / API key without it. Each cell is either 'ok' (HTTP 200,
// no errors) or the exact extensions.code of the refusal (HTTP 200, the field is null).

type ViewerName = 'anonymous' | 'keyWith' | 'keyWithout' | 'other' | 'admin' | 'customer';
// Order matters: the customer (who may log out everywhere) goes last.
const VIEWERS: ViewerName[] = ['anonymous', 'keyWith', 'keyWithout', 'other', 'admin', 'customer'];

interface Env {
  t: TestApp;
  customer: TestUser;
  other: TestUser;
  admin: TestUser;
  productId: string;
}

interface OpCase {
  field: string;
  /** The scope an API key needs (null: closed to keys). */
  scope: Scope | null;
  query: string;
  vars?: (env: Env, viewer: ViewerName) => Promise<Record<string, unknown>> | Record<string, unknown>;
  expect: Record<ViewerName, 'ok' | string>;
}

const publicNoKeys = (ok: 'ok' | string = 'ok'): OpCase['expect'] => ({
  anonymous: ok,
  customer: ok,
  other: ok,
  admin: ok,
  keyWith: 'FORBIDDEN',
  keyWithout: 'FORBIDDEN',
});
const signedInNoKeys: OpCase['expect'] = {
  anonymous: 'UNAUTHENTICATED',
  customer: 'ok',
  other: 'ok',
  admin: 'ok',
  keyWith: 'FORBIDDEN',
  keyWithout: 'FORBIDDEN',
};
const signedInOrKey: OpCase['expect'] = { ...signedInNoKeys, keyWith: 'ok' };
const email = () => `op-${randomBytes(5).toString('hex')}@example.com`;

const CASES: OpCase[] = [
  { field: 'health', scope: null, query: '{ health }', expect: publicNoKeys() },
  { field: 'viewer', scope: null, query: '{ viewer { id } }', expect: publicNoKeys() },
  {
    // The priced dry run: public, and open to an API key of any scope (it reads nothing).
    field: 'estimateCost',
    scope: null,
    query: 'query($q: String!) { estimateCost(query: $q) { requested } }',
    vars: () => ({ q: '{ products(first: 5) { totalCount } }' }),
    expect: { ...publicNoKeys(), keyWith: 'ok', keyWithout: 'ok' },
  },
  {
    field: 'products',
    scope: 'PRODUCTS_READ',
    query: '{ products(first: 5) { totalCount } }',
    expect: { ...publicNoKeys(), keyWith: 'ok' },
  },
  {
    field: 'product',
    scope: 'PRODUCTS_READ',
    query: 'query($id: ID!) { product(id: $id) { id } }',
    vars: (e) => ({ id: e.productId }),
    expect: { ...publicNoKeys(), keyWith: 'ok' },
  },
  {
    field: 'order',
    scope: 'ORDERS_READ',
    query: 'query($id: ID!) { order(id: $id) { id } }',
    vars: async (e) => ({ id: await makeOrder(e.t, e.customer, e.productId) }),
    expect: {
      anonymous: 'UNAUTHENTICATED',
      customer: 'ok',
      other: 'NOT_FOUND',
      admin: 'ok',
      keyWith: 'ok',
      keyWithout: 'FORBIDDEN',
    },
  },
  {
    field: 'myOrders',
    scope: 'ORDERS_READ',
    query: '{ myOrders(first: 5) { totalCount } }',
    expect: signedInOrKey,
  },
  {
    field: 'user',
    scope: null,
    query: 'query($id: ID!) { user(id: $id) { id } }',
    vars: (e) => ({ id: e.customer.id }),
    expect: {
      anonymous: 'UNAUTHENTICATED',
      customer: 'FORBIDDEN',
      other: 'FORBIDDEN',
      admin: 'ok',
      keyWith: 'FORBIDDEN',
      keyWithout: 'FORBIDDEN',
    },
  },
  { field: 'apiKeys', scope: null, query: '{ apiKeys { id } }', expect: signedInNoKeys },
  {
    field: '_noop',
    scope: null,
    query: 'mutation { _noop }',
    expect: publicNoKeys(),
  },
  {
    field: 'register',
    scope: null,
    query: 'mutation($input: RegisterInput!) { register(input: $input) }',
    vars: () => ({ input: { email: email(), password: 'correct horse battery', name: 'New' } }),
    expect: publicNoKeys(),
  },
  // A fresh, unverified account's token for each viewer: it signs in whoever sends it; keys are
  // refused before the resolver.
  {
    field: 'verifyEmail',
    scope: null,
    query: 'mutation($token: String!) { verifyEmail(token: $token) { user { id } } }',
    vars: async (e) => {
      const address = email();
      await e.t.app.db.query("INSERT INTO users (email, name) VALUES ($1, 'New')", [address]);
      return { token: await plantVerificationToken(e.t, address) };
    },
    expect: publicNoKeys(),
  },
  {
    field: 'login',
    scope: null,
    query: 'mutation($input: LoginInput!) { login(input: $input) { user { id } } }',
    vars: (e) => ({ input: { email: e.customer.email, password: e.customer.password } }),
    expect: publicNoKeys(),
  },
  // Without a refresh cookie there is no session to refresh, for anybody; keys never get that far.
  {
    field: 'refreshSession',
    scope: null,
    query: 'mutation { refreshSession { accessToken } }',
    expect: publicNoKeys('UNAUTHENTICATED'),
  },
  { field: 'logout', scope: null, query: 'mutation { logout }', expect: publicNoKeys() },
  { field: 'logoutEverywhere', scope: null, query: 'mutation { logoutEverywhere }', expect: signedInNoKeys },
  {
    field: 'requestPasswordReset',
    scope: null,
    query: 'mutation($email: String!) { requestPasswordReset(email: $email) }',
    vars: () => ({ email: email() }),
    expect: publicNoKeys(),
  },
  // An invalid reset token is BAD_USER_INPUT for everybody; keys are refused before the resolver.
  {
    field: 'resetPassword',
    scope: null,
    query: 'mutation($token: String!) { resetPassword(token: $token, newPassword: "a new long password!") }',
    vars: () => ({ token: randomBytes(16).toString('hex') }),
    expect: publicNoKeys('BAD_USER_INPUT'),
  },
  {
    field: 'updateProfile',
    scope: null,
    query: 'mutation { updateProfile(input: { name: "Renamed" }) { id } }',
    expect: signedInNoKeys,
  },
  {
    field: 'createProduct',
    scope: null,
    query: 'mutation { createProduct(input: { name: "New", description: "d", priceCents: 100 }) { id } }',
    expect: {
      anonymous: 'UNAUTHENTICATED',
      customer: 'FORBIDDEN',
      other: 'FORBIDDEN',
      admin: 'ok',
      keyWith: 'FORBIDDEN',
      keyWithout: 'FORBIDDEN',
    },
  },
  {
    field: 'createOrder',
    scope: 'ORDERS_WRITE',
    query: 'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
    vars: (e) => ({
      input: { items: [{ productId: e.productId, quantity: 2 }], shippingAddress: ORDER_ADDRESS },
    }),
    expect: signedInOrKey,
  },
  {
    field: 'cancelOrder',
    scope: 'ORDERS_WRITE',
    query: 'mutation($id: ID!) { cancelOrder(id: $id) { id status } }',
    vars: async (e) => ({ id: await makeOrder(e.t, e.customer, e.productId) }),
    // An admin may read the order, so hiding it would be pointless: plain FORBIDDEN.
    expect: {
      anonymous: 'UNAUTHENTICATED',
      customer: 'ok',
      other: 'NOT_FOUND',
      admin: 'FORBIDDEN',
      keyWith: 'ok',
      keyWithout: 'FORBIDDEN',
    },
  },
  {
    field: 'addReview',
    scope: 'REVIEWS_WRITE',
    query:
      'mutation($productId: ID!) { addReview(input: { productId: $productId, rating: 5, body: "Nice" }) { id } }',
    vars: (e) => ({ productId: e.productId }),
    expect: signedInOrKey,
  },
  {
    field: 'createApiKey',
    scope: null,
    query: 'mutation { createApiKey(input: { name: "k", scopes: [PRODUCTS_READ] }) { secret } }',
    expect: signedInNoKeys,
  },
  {
    field: 'revokeApiKey',
    scope: null,
    query: 'mutation($id: ID!) { revokeApiKey(id: $id) }',
    vars: async (e) => ({ id: (await createApiKey(e.t, e.customer, ['PRODUCTS_READ'])).id }),
    expect: {
      anonymous: 'UNAUTHENTICATED',
      customer: 'ok',
      other: 'NOT_FOUND',
      admin: 'NOT_FOUND',
      keyWith: 'FORBIDDEN',
      keyWithout: 'FORBIDDEN',
    },
  },
];

describe('every operation × every viewer over HTTP', () => {
  let t: TestApp;
  before(async () => {
    t = await startAuthzApp();
  });
  after(async () => {
    await t?.stop();
  });

  it('the table lists every Query and Mutation field of the schema', () => {
    const schema = buildSchema();
    const fields = [
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ].sort();
    assert.deepEqual(CASES.map((c) => c.field).sort(), fields);
  });

  for (const op of CASES) {
    it(`${op.field}: ${VIEWERS.map((v) => `${v}=${op.expect[v]}`).join(' ')}`, async () => {
      // Fresh actors per operation, so that one case (e.g. logoutEverywhere) cannot affect another.
      const [customer, other, admin] = await Promise.all([
        insertUser(t),
        insertUser(t),
        insertUser(t, { role: 'ADMIN' }),
      ]);
      const env: Env = { t, customer, other, admin, productId: await makeProduct(t) };
      const keyWith = await createApiKey(t, customer, op.scope ? [op.scope] : ALL_SCOPES);
      const withoutScopes = ALL_SCOPES.filter((s) => s !== op.scope);
      const keyWithout = await createApiKey(t, customer, op.scope ? withoutScopes : ['PRODUCTS_READ']);
      const headers: Record<ViewerName, Record<string, string>> = {
        anonymous: {},
        customer: customer.headers,
        other: other.headers,
        admin: admin.headers,
        keyWith: keyWith.headers,
        keyWithout: keyWithout.headers,
      };
      for (const viewer of VIEWERS) {
        const vars = op.vars ? await op.vars(env, viewer) : {};
        // Each viewer from an address of its own: pre-authentication operations are limited per
        // network whatever the credentials, and this table is not about limits.
        const res = await t.gql(op.query, vars, { ...headers[viewer], ...fromIp(randomIp()) });
        const expected = op.expect[viewer];
        const where = `${op.field} as ${viewer}: ${res.text}`;
        assert.equal(res.status, 200, where);
        if (expected === 'ok') {
          assert.equal(res.body.errors, undefined, where);
          assert.ok(res.body.data && op.field in res.body.data, where);
        } else {
          assert.equal(res.body.errors?.length, 1, where);
          assert.equal(res.body.errors?.[0]?.extensions?.code, expected, where);
          assert.deepEqual(res.body.errors?.[0]?.path, [op.field], where);
          assert.equal(res.body.data?.[op.field] ?? null, null, where);
        }
      }
    });
  }

  it('an unknown id answers NOT_FOUND for the owner too (no difference between missing and hidden)', async () => {
    const customer = await insertUser(t);
    const res = await t.gql(
      'query($id: ID!) { order(id: $id) { id } }',
      { id: randomUUID() },
      customer.headers,
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });
});
