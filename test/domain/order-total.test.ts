import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { ORDER_ADDRESS } from '../helpers/fixtures.js';
import { TRUSTING_PROXY } from '../helpers/network.js';
import { registerUser, type Session } from '../helpers/users.js';

// Order arithmetic is bounded: the dearest allowed price (10⁸ cents) × quantity 100 passes what
// the total column holds. It is refused as input (BAD_USER_INPUT), never an integer overflow (500).
const CREATE_PRODUCT = 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }';
const CREATE_ORDER = 'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id totalCents } }';

describe('order totals stay within what the database holds', () => {
  let t: TestApp;
  let admin: Session;
  let buyer: Session;
  let productId: string;
  before(async () => {
    t = await startApp({ env: TRUSTING_PROXY });
    admin = await registerUser(t, { role: 'ADMIN' });
    buyer = await registerUser(t);
    const res = await t.gql(
      CREATE_PRODUCT,
      { input: { name: 'Dear', description: 'very', priceCents: 100_000_000 } },
      admin.headers,
    );
    productId = (res.body.data?.createProduct as { id: string }).id;
  });
  after(() => t.stop());

  const order = (quantity: number) =>
    t.gql(
      CREATE_ORDER,
      { input: { items: [{ productId, quantity }], shippingAddress: ORDER_ADDRESS } },
      buyer.headers,
    );

  it('legitimate: the largest total the column holds is ordered (21 × 10⁸ cents)', async () => {
    const res = await order(21);
    assert.equal(res.body.errors, undefined, res.text);
    assert.equal((res.body.data?.createOrder as { totalCents: number }).totalCents, 2_100_000_000);
  });

  it('attack: 100 × 10⁸ cents is a BAD_USER_INPUT, never a 500, and nothing is written', async () => {
    const count = async () =>
      (await t.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders'))[0]?.n ?? 0;
    const before = await count();
    const res = await order(100);
    assert.equal(res.status, 200);
    assert.equal(res.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', res.text);
    assert.deepEqual(res.body.errors?.[0]?.extensions?.fieldErrors, {
      'input.items': 'The order total is too large: order fewer items.',
    });
    assert.equal(await count(), before);
    assert.equal(t.logs.filter((l) => (l.level as number) >= 50).length, 0, 'no internal error');
  });
});
