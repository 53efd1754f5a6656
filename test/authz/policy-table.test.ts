import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Viewer } from '../../src/auth/viewer.js';
import type { Scope } from '../../src/generated/schema-types.js';
import { ACTIONS } from '../../src/modules/index.js';
import type { ApiKeyRow } from '../../src/modules/identity/identity.model.js';
import type { OrderRow } from '../../src/modules/orders/orders.model.js';
import type { UserRow } from '../../src/modules/users/users.model.js';
import { assertCan, can, type Action, type Actions } from '../../src/policy/policy.js';
import { securityMarkOf } from '../../src/audit/marks.js';
import { ALL_SCOPES } from './authz-helpers.js';

// The unit table over can(): every action of the catalogue × every kind of viewer. "customer" owns
// the resource; "other" is another customer; keys belong to the customer unless named admin-key.
const CUSTOMER = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const ADMIN = '33333333-3333-4333-8333-333333333333';
const now = new Date();

const customerRow: UserRow = {
  id: CUSTOMER,
  email: 'c@example.com',
  name: 'C',
  role: 'CUSTOMER',
  createdAt: now,
};
const order: OrderRow = {
  id: '44444444-4444-4444-8444-444444444444',
  ownerId: CUSTOMER,
  status: 'PENDING',
  totalCents: 100,
  promoCode: null,
  shippingAddress: { line1: '1 Street', city: 'London', postcode: 'SW1A 1AA', country: 'GB' },
  createdAt: now,
};
const customerKeyRow: ApiKeyRow = {
  id: '55555555-5555-4555-8555-555555555555',
  userId: CUSTOMER,
  name: 'k',
  prefix: 'p',
  scopes: ['PRODUCTS_READ'],
  tier: null,
  createdAt: now,
  lastUsedAt: null,
  revokedAt: null,
};

const user = (userId: string, role: 'CUSTOMER' | 'ADMIN' = 'CUSTOMER'): Viewer => ({
  kind: 'user',
  userId,
  role,
  tokenId: 'jti',
});
const key = (userId: string, scopes: readonly Scope[], role: 'CUSTOMER' | 'ADMIN' = 'CUSTOMER'): Viewer => ({
  kind: 'apiKey',
  keyId: 'key',
  userId,
  role,
  scopes,
  tier: null,
});

type ViewerName = 'anonymous' | 'customer' | 'other' | 'admin' | 'keyWith' | 'keyWithout' | 'adminKey';
interface Row<A extends Action> {
  resource: Actions[A];
  /** The scope that matters for keys (null: no scope admits a key, so keyWith holds all four). */
  scope: Scope | null;
  allowed: ViewerName[];
  /** Object-level actions hide refusals as NOT_FOUND in the services. */
  hidden?: true;
}

const TABLE: { [A in Action]: Row<A> } = {
  'product:read': {
    resource: null,
    scope: 'PRODUCTS_READ',
    allowed: ['anonymous', 'customer', 'other', 'admin', 'keyWith', 'adminKey'],
  },
  'product:create': { resource: null, scope: null, allowed: ['admin'] },
  'review:create': {
    resource: null,
    scope: 'REVIEWS_WRITE',
    allowed: ['customer', 'other', 'admin', 'keyWith', 'adminKey'],
  },
  'order:create': {
    resource: null,
    scope: 'ORDERS_WRITE',
    allowed: ['customer', 'other', 'admin', 'keyWith', 'adminKey'],
  },
  // The admin's key holds every scope but is not an admin session: it sees its owner's orders only.
  'order:read': {
    resource: order,
    scope: 'ORDERS_READ',
    allowed: ['customer', 'admin', 'keyWith'],
    hidden: true,
  },
  'order:cancel': { resource: order, scope: 'ORDERS_WRITE', allowed: ['customer', 'keyWith'], hidden: true },
  'order:list-own': {
    resource: null,
    scope: 'ORDERS_READ',
    allowed: ['customer', 'other', 'admin', 'keyWith', 'adminKey'],
  },
  'user:read': { resource: customerRow, scope: null, allowed: ['admin'], hidden: true },
  'user:read-email': { resource: customerRow, scope: null, allowed: ['customer', 'admin'] },
  'user:read-orders': {
    resource: customerRow,
    scope: 'ORDERS_READ',
    allowed: ['customer', 'admin', 'keyWith'],
    hidden: true,
  },
  'user:update-profile': { resource: null, scope: null, allowed: ['customer', 'other', 'admin'] },
  'apikey:manage': { resource: customerKeyRow, scope: null, allowed: ['customer'], hidden: true },
  'session:manage': { resource: null, scope: null, allowed: ['customer', 'other', 'admin'] },
};

function viewersFor(scope: Scope | null): Record<ViewerName, Viewer> {
  return {
    anonymous: { kind: 'anonymous' },
    customer: user(CUSTOMER),
    other: user(OTHER),
    admin: user(ADMIN, 'ADMIN'),
    keyWith: key(CUSTOMER, scope ? [scope] : ALL_SCOPES),
    keyWithout: key(
      CUSTOMER,
      ALL_SCOPES.filter((s) => s !== scope),
    ),
    adminKey: key(ADMIN, ALL_SCOPES, 'ADMIN'),
  };
}

describe('policy table: every action × every viewer', () => {
  it('covers every action of the catalogue, and nothing else', () => {
    assert.deepEqual(Object.keys(TABLE).sort(), [...ACTIONS].sort());
  });

  for (const action of ACTIONS) {
    const row = TABLE[action] as Row<typeof action>;
    const viewers = viewersFor(row.scope);
    for (const [name, viewer] of Object.entries(viewers) as [ViewerName, Viewer][]) {
      const allowed = row.allowed.includes(name);
      it(`${action} × ${name} → ${allowed ? 'allowed' : 'denied'}`, () => {
        assert.equal(can(viewer, action, row.resource as never), allowed);
        if (allowed) {
          assert.doesNotThrow(() => assertCan(viewer, action, row.resource as never));
          return;
        }
        // The error a refusal turns into: NOT_FOUND when hidden, else UNAUTHENTICATED / FORBIDDEN.
        const expected = row.hidden ? 'NOT_FOUND' : name === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
        let thrown: unknown;
        try {
          assertCan(viewer, action, row.resource as never, row.hidden ? { hideAs: 'Thing' } : {});
        } catch (e) {
          thrown = e;
        }
        assert.ok(thrown instanceof Error, 'assertCan must throw');
        assert.equal((thrown as { extensions?: { code?: string } }).extensions?.code, expected);
        if (row.hidden) assert.equal(thrown.message, 'Thing not found.');
        assert.equal(securityMarkOf(thrown)?.event, 'authz_denied', 'every refusal is marked for the log');
      });
    }
  }

  it('denies by default: an action missing from the catalogue is refused', () => {
    assert.equal(can(user(ADMIN, 'ADMIN'), 'nope:nothing' as Action, null as never), false);
  });

  it("a key never manages another user's key, even its owner's admin power does not pass to it", () => {
    assert.equal(can(key(ADMIN, ALL_SCOPES, 'ADMIN'), 'apikey:manage', null), false);
    assert.equal(can(user(OTHER), 'apikey:manage', customerKeyRow), false);
    assert.equal(can(user(CUSTOMER), 'apikey:manage', null), true);
  });
});
