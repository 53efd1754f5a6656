import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { graphql, GraphQLError } from 'graphql';
import type { Viewer } from '../../src/auth/viewer.js';
import { buildSchema, loadTypeDefs } from '../../src/schema.js';
import { checkAccess, type FieldAccess } from '../../src/security/execution/auth-directive.js';
import type { TestApp } from '../helpers/app.js';
import { assertOk, assertRefused } from '../helpers/graphql.js';
import { createApiKey, insertUser, type TestUser } from '../helpers/users.js';
import { startAuthzApp } from './authz-helpers.js';

// Regression tests for the @auth directive itself (issue 19). The real schema has no field that
// both requires a role and lists scopes, nor a type-level @auth type reachable through a @public
// field, so the shop's own suites cannot notice these two rules breaking: each is pinned here on
// a test-only field added to the real SDL, through the real buildSchema/app.

const code = (e: unknown) => (e instanceof GraphQLError ? e.extensions.code : undefined);

const CUSTOMER_KEY: Viewer = {
  kind: 'apiKey',
  keyId: 'k1',
  userId: 'u1',
  role: 'CUSTOMER',
  scopes: ['PRODUCTS_READ'],
  tier: null,
};
const ADMIN_KEY: Viewer = { ...CUSTOMER_KEY, role: 'ADMIN' };
const ADMIN_WITH_SCOPE: FieldAccess = { kind: 'auth', requires: ['ADMIN'], scopes: ['PRODUCTS_READ'] };

describe('checkAccess: an API key is held to its owner role as well as its scopes', () => {
  it("refuses (FORBIDDEN) a key with the field's scope whose owner is a CUSTOMER where ADMIN is required", () => {
    assert.throws(
      () => checkAccess(CUSTOMER_KEY, ADMIN_WITH_SCOPE, 'Query.adminReport'),
      (e: unknown) => code(e) === 'FORBIDDEN',
    );
  });

  it('lets the same key through when its owner is an ADMIN (the scope check alone passes)', () => {
    assert.doesNotThrow(() => checkAccess(ADMIN_KEY, ADMIN_WITH_SCOPE, 'Query.adminReport'));
  });
});

// A field that keys holding PRODUCTS_READ may reach, but only when their owner is an admin. It
// has no resolver: an allowed call answers null without an error, a refused one carries the code.
const ADMIN_REPORT = /* GraphQL */ `
  extend type Query {
    adminReport: String @auth(requires: [ADMIN], scopes: [PRODUCTS_READ])
  }
`;

describe('@auth(requires, scopes) over HTTP: an API key of a CUSTOMER is refused', () => {
  let t: TestApp;
  let customer: TestUser;
  let admin: TestUser;

  before(async () => {
    t = await startAuthzApp({ typeDefs: [...loadTypeDefs(), ADMIN_REPORT] });
    customer = await insertUser(t, { role: 'CUSTOMER' });
    admin = await insertUser(t, { role: 'ADMIN' });
  });
  after(async () => {
    await t?.stop();
  });

  it("a CUSTOMER's key with the field's scope gets FORBIDDEN; an ADMIN's key with that scope is allowed", async () => {
    const customerKey = await createApiKey(t, customer, ['PRODUCTS_READ']);
    const adminKey = await createApiKey(t, admin, ['PRODUCTS_READ']);
    assertRefused(await t.gql('{ adminReport }', {}, customerKey.headers), 'FORBIDDEN', 200, 'adminReport');
    const ok = await t.gql('{ adminReport }', {}, adminKey.headers);
    assertOk(ok);
    assert.deepEqual(ok.body.data, { adminReport: null });
  });
});

// Type-level @auth: every field of AdminPanel needs an ADMIN, even though the root field that
// returns it is @public (and open to PRODUCTS_READ keys: a key is stopped on that edge, as the type
// lists no scopes). Executed in process on the real buildSchema (the app's wrapping) because the
// panel object has to come from somewhere: here, the root value.
const ADMIN_PANEL = /* GraphQL */ `
  type AdminPanel @auth(requires: [ADMIN]) {
    secret: String
  }
  extend type Query {
    adminPanel: AdminPanel @public(scopes: [PRODUCTS_READ])
  }
`;

describe('type-level @auth reached through a @public field', () => {
  const schema = buildSchema({ typeDefs: [...loadTypeDefs(), ADMIN_PANEL] });
  const run = async (viewer: Viewer) => {
    const res = await graphql({
      schema,
      source: '{ adminPanel { secret } }',
      rootValue: { adminPanel: { secret: 's3cret' } },
      contextValue: { viewer },
    });
    // graphql-js builds data with null prototypes; plain objects compare with deepEqual.
    return { errors: res.errors, data: JSON.parse(JSON.stringify(res.data)) as unknown };
  };
  const refusedWith = async (viewer: Viewer, expected: string, atEdge = false) => {
    const res = await run(viewer);
    assert.equal(res.errors?.length, 1, JSON.stringify(res));
    assert.equal(res.errors?.[0]?.extensions.code, expected);
    assert.deepEqual(res.errors?.[0]?.path, atEdge ? ['adminPanel'] : ['adminPanel', 'secret']);
    assert.deepEqual(
      res.data,
      atEdge ? { adminPanel: null } : { adminPanel: { secret: null } },
      'nothing of the panel leaks',
    );
  };

  it('anonymous: UNAUTHENTICATED (no credentials for a field that needs them)', async () => {
    await refusedWith({ kind: 'anonymous' }, 'UNAUTHENTICATED');
  });

  it('a signed-in CUSTOMER: FORBIDDEN (authenticated, wrong role)', async () => {
    await refusedWith({ kind: 'user', userId: 'u1', role: 'CUSTOMER', tokenId: 't1' }, 'FORBIDDEN');
  });

  it("an ADMIN's API key: FORBIDDEN at adminPanel itself (the type lists no scopes, so keys never reach it)", async () => {
    await refusedWith({ ...ADMIN_KEY, scopes: ['PRODUCTS_READ', 'ORDERS_READ'] }, 'FORBIDDEN', true);
  });

  it('a signed-in ADMIN reads the panel', async () => {
    const res = await run({ kind: 'user', userId: 'u2', role: 'ADMIN', tokenId: 't2' });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.deepEqual(res.data, { adminPanel: { secret: 's3cret' } });
  });
});
