import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import type { GqlResponse } from '../helpers/graphql.js';
import { createProducts, createReviews } from '../helpers/fixtures.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { registerUser } from '../helpers/users.js';

// The response guards count what execution really produces (src/security/response/response-guards.ts):
// past MAX_RESPONSE_ITEMS list items or MAX_RESPONSE_BYTES of data, one RESPONSE_TOO_LARGE and no data.
const PAGE = `query Page($first: Int!, $reviews: Int!) {
  products(first: $first) { edges { node { id name reviews(first: $reviews) { edges { node { body } } } } } }
}`;

describe('response guards', () => {
  let items: TestApp;
  let bytes: TestApp;
  before(async () => {
    const limits = { ...TRUSTING_PROXY, MAX_COST: '1000000', HTTP_RATE_LIMIT: '100000' };
    [items, bytes] = await Promise.all([
      startApp({ env: { ...limits, MAX_RESPONSE_ITEMS: '60' } }),
      startApp({ env: { ...limits, MAX_RESPONSE_BYTES: '2048' } }),
    ]);
    for (const t of [items, bytes]) {
      const author = await registerUser(t, { ip: randomIp() });
      await createReviews(t, await createProducts(t, 10), author.id, 10);
    }
  });
  after(async () => {
    await Promise.all([items?.stop(), bytes?.stop()]);
  });

  /** One RESPONSE_TOO_LARGE, no data, status 200: never part of an oversized answer. */
  const assertTooLarge = (res: GqlResponse) => {
    assert.equal(res.status, 200);
    assert.equal(res.body.data, null);
    assert.deepEqual(
      res.body.errors?.map((e) => e.extensions?.code),
      ['RESPONSE_TOO_LARGE'],
      res.text,
    );
  };

  const page = (t: TestApp, first: number, reviews: number) =>
    t.gql(PAGE, { first, reviews }, fromIp(randomIp()));

  it('legitimate: an answer within both caps is served whole', async () => {
    // 5 products + 5 × 5 reviews: 5 edges + 25 review edges = 30 list items, about 1.4 KB.
    for (const t of [items, bytes]) {
      const res = await page(t, 5, 5);
      assert.equal(res.status, 200);
      assert.equal(res.body.errors, undefined, res.text);
      const edges = (res.body.data?.products as { edges: unknown[] }).edges;
      assert.equal(edges.length, 5);
    }
  });

  it('attack: more list items than MAX_RESPONSE_ITEMS get one RESPONSE_TOO_LARGE and no data', async () => {
    // 10 products + 10 × 10 reviews = 110 list items > 60.
    const res = await page(items, 10, 10);
    assertTooLarge(res);
    assert.doesNotMatch(res.text, /review \d/, 'no part of the answer is sent');
    assert.ok(
      securityEvents(items, 'limit_hit').some(
        (e) => e.code === 'RESPONSE_TOO_LARGE' && e.limit === 'response_items',
      ),
    );
  });

  it('attack: an answer over MAX_RESPONSE_BYTES gets one RESPONSE_TOO_LARGE and no data', async () => {
    // 10 products × 10 review bodies: about 4 KB of data, over 2 KB, with only 110 list items.
    const res = await page(bytes, 10, 10);
    assertTooLarge(res);
    const events = securityEvents(bytes, 'limit_hit').filter((e) => e.code === 'RESPONSE_TOO_LARGE');
    assert.equal(events.length, 1, 'one event per refused response');
    assert.equal(events[0]?.limit, 'response_bytes');
  });

  it('a query without lists is never measured or refused', async () => {
    const res = await items.gql('{ health }', undefined, fromIp(randomIp()));
    assert.deepEqual(res.body.data, { health: 'ok' });
  });
});
