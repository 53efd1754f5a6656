import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { createProducts, createReviews } from '../helpers/fixtures.js';
import { codeOf, type GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { insertUser } from '../helpers/users.js';

// Settlement (docs/cost.md): the estimate is reserved before execution, the actual cost (the same
// model on the real list sizes of the answer) is charged, the difference refunded.
interface Cost {
  requested: number;
  actual: number;
  limit: number;
  remaining: number;
  resetAt: string;
}
const costOf = (res: GqlResponse) => res.body.extensions?.cost as Cost;

const PAGE = (first: number) => `{ products(first: ${first}) { edges { node { id } } } }`;
const ESTIMATE = `query($query: String!, $variables: JSON, $operationName: String) {
  estimateCost(query: $query, variables: $variables, operationName: $operationName) {
    requested allowed limit remaining resetAt
  }
}`;
interface Estimate {
  requested: number;
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAt: string;
}
const estimateOf = (res: GqlResponse) => (res.body.data as { estimateCost: Estimate }).estimateCost;
const NESTED_ITEMS =
  '{ myOrders(first: 10) { edges { node { items { product { reviews(first: 20) { edges { node { body } } } } } } } } }';

describe('actual cost, settlement and the priced dry run', () => {
  let t: TestApp;
  let productIds: string[];
  before(async () => {
    t = await startApp({
      env: { ...TRUSTING_PROXY, COST_BUDGET_PER_HOUR: '1000', HTTP_RATE_LIMIT: '100000' },
    });
    productIds = await createProducts(t, 3);
  });
  after(async () => {
    await t?.stop();
  });

  it('requested is the estimate, actual the real work: products(first: 50) on 3 products', async () => {
    const res = await t.gql(PAGE(50), undefined, fromIp(randomIp()));
    assert.equal(res.status, 200, res.text);
    // requested 1 + 50 × (edge 1 + node 1) = 101; actual 1 + 3 × 2 = 7.
    assert.equal(costOf(res).requested, 101);
    assert.equal(costOf(res).actual, 7);
    // With a count and an empty nested list: requested 1 + 1 + 10 × (1 + 1 + (1 + 5 × 2)) = 132,
    // actual 1 + 1 + 3 × (1 + 1 + 1) = 11 (no product has a review).
    const nested = await t.gql(
      '{ products(first: 10) { totalCount edges { node { reviews(first: 5) { edges { node { id } } } } } } }',
      undefined,
      fromIp(randomIp()),
    );
    assert.equal(nested.status, 200, nested.text);
    assert.deepEqual([costOf(nested).requested, costOf(nested).actual], [132, 11]);
    // Aliases and a skipped field are walked as executed: 7 + 7, the skipped one costs nothing.
    const aliased = await t.gql(
      `query($no: Boolean!) { a: products(first: 50) { edges { node { id } } }
        b: products(first: 50) { edges { node { id } } } c: health @skip(if: $no) }`,
      { no: true },
      fromIp(randomIp()),
    );
    assert.deepEqual([costOf(aliased).requested, costOf(aliased).actual], [202, 14]);
  });

  it('the refund shows in remaining: two requests, exact budget arithmetic', async () => {
    const ip = fromIp(randomIp());
    const first = await t.gql(PAGE(50), undefined, ip);
    assert.equal(costOf(first).remaining, 1000 - 7);
    const second = await t.gql(PAGE(100), undefined, ip);
    assert.equal(costOf(second).requested, 201);
    assert.equal(costOf(second).actual, 7);
    assert.equal(costOf(second).remaining, 1000 - 7 - 7);
    // A refused operation costs nothing: actual 0, remaining unchanged.
    const refused = await t.gql('{ products(first: 1) { nope } }', undefined, ip);
    assert.equal(refused.status, 400);
    assert.deepEqual([costOf(refused).requested, costOf(refused).actual], [0, 0]);
    assert.equal(costOf(refused).remaining, 1000 - 14);
  });

  it('dry run: prices the operation, runs nothing and charges nothing but its own 1', async () => {
    const ip = fromIp(randomIp());
    const first = await t.gql(PAGE(50), undefined, ip);
    assert.equal(costOf(first).remaining, 993);
    const dry = await t.gql(ESTIMATE, { query: PAGE(10) }, ip);
    assert.equal(dry.status, 200, dry.text);
    assert.deepEqual(
      { ...estimateOf(dry), resetAt: undefined },
      { requested: 21, allowed: true, limit: 1000, remaining: 992, resetAt: undefined },
    );
    assert.ok(Date.parse(estimateOf(dry).resetAt) > Date.now());
    assert.deepEqual([costOf(dry).requested, costOf(dry).actual, costOf(dry).remaining], [1, 1, 992]);
    // With variables and an operation name.
    const named = await t.gql(
      ESTIMATE,
      {
        query: 'query A { health } query B($n: Int!) { products(first: $n) { edges { node { id } } } }',
        variables: { n: 40 },
        operationName: 'B',
      },
      ip,
    );
    assert.equal(estimateOf(named).requested, 81);
    assert.equal(estimateOf(named).remaining, 991);
  });

  it('dry run of a mutation writes nothing', async () => {
    const user = await insertUser(t, { ip: randomIp() });
    const count = async () =>
      Number((await t.app.db.query<{ n: string }>('SELECT count(*) AS n FROM reviews'))[0]?.n);
    const before = await count();
    const dry = await t.gql(
      ESTIMATE,
      {
        query: 'mutation($input: AddReviewInput!) { addReview(input: $input) { id body } }',
        variables: { input: { productId: productIds[0], rating: 5, body: 'never written' } },
      },
      user.headers,
    );
    assert.equal(dry.status, 200, dry.text);
    assert.equal(estimateOf(dry).requested, 1);
    assert.equal(estimateOf(dry).allowed, true);
    assert.equal(await count(), before);
  });

  it('dry run of an invalid document: the code a real request gets, as a field error (200)', async () => {
    const ip = fromIp(randomIp());
    const expect = async (variables: Record<string, unknown>, code: string) => {
      const res = await t.gql(ESTIMATE, variables, ip);
      assert.equal(res.status, 200, res.text);
      assert.equal(codeOf(res), code, res.text);
      assert.deepEqual(res.body.errors?.[0]?.path, ['estimateCost']);
      assert.equal(res.body.data, null);
    };
    await expect({ query: '{ products(' }, 'GRAPHQL_PARSE_FAILED');
    await expect({ query: '{ products(first: 1) { nope } }' }, 'GRAPHQL_VALIDATION_FAILED');
    // The app's document limits apply too: depth over MAX_DEPTH (10), tokens over MAX_TOKENS.
    const deep =
      '{ viewer { orders(first: 1) { edges { node { items { product { reviews(first: 1) { edges { node { author { orders(first: 1) { edges { node { id } } } } } } } } } } } } } }';
    await expect({ query: deep }, 'GRAPHQL_VALIDATION_FAILED');
    await expect({ query: `{ ${'health '.repeat(2100)} }` }, 'GRAPHQL_PARSE_FAILED');
    await expect(
      { query: 'query($n: Int!) { products(first: $n) { totalCount } }', variables: { n: 'ten' } },
      'BAD_USER_INPUT',
    );
    await expect({ query: 'query A { health } query B { health }' }, 'BAD_USER_INPUT');
  });

  it('dry run of an operation over MAX_COST: its price, allowed false, no error', async () => {
    const dry = await t.gql(ESTIMATE, { query: NESTED_ITEMS }, fromIp(randomIp()));
    assert.equal(dry.status, 200, dry.text);
    assert.equal(dry.body.errors, undefined);
    assert.equal(estimateOf(dry).requested, 21521);
    assert.equal(estimateOf(dry).allowed, false);
  });
});

describe('the nested-items scenario: 20 long reviews, ten orders of 50 items', () => {
  let strict: TestApp;
  let raised: TestApp;
  before(async () => {
    const env = { ...TRUSTING_PROXY, HTTP_RATE_LIMIT: '100000' };
    [strict, raised] = await Promise.all([
      startApp({ env }),
      startApp({ env: { ...env, MAX_COST: '30000', COST_BUDGET_PER_HOUR: '1000000' } }),
    ]);
  });
  after(async () => {
    await Promise.all([strict?.stop(), raised?.stop()]);
  });

  /** A user with ten orders of 50 items, each item a product with 20 reviews of 2,000 characters. */
  const scenario = async (t: TestApp) => {
    const user = await insertUser(t, { ip: randomIp() });
    const products = await createProducts(t, 50);
    await createReviews(t, products, user.id, 20);
    await t.app.db.query("UPDATE reviews SET body = repeat('x', 2000)");
    await t.app.db.query(
      `WITH o AS (
         INSERT INTO orders (owner_id, total_cents, ship_line1, ship_city, ship_postcode, ship_country)
         SELECT $1, 5000, '1 Test Street', 'London', 'SW1A 1AA', 'GB' FROM generate_series(1, 10)
         RETURNING id)
       INSERT INTO order_items (order_id, position, product_id, quantity, unit_price_cents)
       SELECT o.id, p.i, p.id, 1, 100 FROM o, unnest($2::uuid[]) WITH ORDINALITY AS p(id, i)`,
      [user.id, products],
    );
    return user;
  };

  it('at the default MAX_COST (5000) the static price 21,521 is refused before anything runs', async () => {
    const user = await scenario(strict);
    const res = await strict.gql(NESTED_ITEMS, undefined, user.headers);
    assert.equal(res.status, 400, res.text);
    assert.equal(codeOf(res), 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(res.body.data, undefined);
    assert.deepEqual([costOf(res).requested, costOf(res).actual], [21521, 0]);
  });

  it('with MAX_COST raised, the response guards stop it: RESPONSE_TOO_LARGE, no data', async () => {
    const user = await scenario(raised);
    const res = await raised.gql(NESTED_ITEMS, undefined, user.headers);
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.equal(codeOf(res), 'RESPONSE_TOO_LARGE');
    assert.equal(res.body.data, null);
    assert.equal(res.body.errors?.length, 1);
    // The failed answer is never refunded below what ran: actual ≤ requested, both reported.
    assert.equal(costOf(res).requested, 21521);
    assert.ok(costOf(res).actual > 0 && costOf(res).actual <= 21521, String(costOf(res).actual));
    assert.equal(costOf(res).remaining, 1_000_000 - costOf(res).actual);
  });
});
