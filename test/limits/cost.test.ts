import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { createProducts } from '../helpers/fixtures.js';
import { codeOf, type GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { insertUser } from '../helpers/users.js';

// The model: docs/cost.md. products(first: n) { edges { node { id } } } costs
// 1 + n × (edge 1 + node 1) = 1 + 2n (sizedFields: the size multiplies edges).
const PAGE = (first: number | string) => `{ products(first: ${first}) { edges { node { id } } } }`;
const PAGE_VAR = 'query($n: Int!) { products(first: $n) { edges { node { id } } } }';

interface Cost {
  requested: number;
  actual: number;
  limit: number;
  remaining: number;
  resetAt: string;
}
const costOf = (res: GqlResponse) => res.body.extensions?.cost as Cost;

describe('cost analysis and the hourly cost budget', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({
      env: { ...TRUSTING_PROXY, MAX_COST: '201', COST_BUDGET_PER_HOUR: '1000', HTTP_RATE_LIMIT: '100000' },
    });
    await createProducts(t, 5);
  });
  after(async () => {
    await t?.stop();
  });

  it('every response carries extensions.cost { requested, actual, limit, remaining, resetAt }', async () => {
    const ip = fromIp(randomIp());
    const res = await t.gql(PAGE(10), undefined, ip);
    assert.equal(res.status, 200);
    const cost = costOf(res);
    // Reserved 1 + 10 × 2 = 21; the catalogue holds 5 products, so it cost 1 + 5 × 2 = 11.
    assert.equal(cost.requested, 21);
    assert.equal(cost.actual, 11);
    assert.equal(cost.limit, 1000);
    assert.equal(cost.remaining, 989);
    const resetIn = Date.parse(cost.resetAt) - Date.now();
    assert.ok(resetIn > 3500_000 && resetIn <= 3600_000, cost.resetAt);
    // Refusals carry it too (nothing was charged for a parse error).
    const bad = await t.gql('{ products(', undefined, ip);
    assert.equal(bad.status, 400);
    assert.deepEqual(
      { ...costOf(bad), resetAt: undefined },
      { requested: 0, actual: 0, limit: 1000, remaining: 989, resetAt: undefined, profile: 'default' },
    );
  });

  it('scalars are free, objects cost 1, totalCount (a count query) weighs 1', async () => {
    // health 0 + products 1 + totalCount 1 = 2: without edges, first: 100 multiplies nothing.
    const res = await t.gql('{ health products(first: 100) { totalCount } }', undefined, fromIp(randomIp()));
    assert.equal(costOf(res).requested, 2);
  });

  it('Order.items multiplies by its 50: the nested-items attack is priced at its real work', async () => {
    // reviews 1 + 20 × 2 = 41; product 1 + 41 = 42; items 50 × (1 + 42) = 2150; order node
    // 1 + 2150 = 2151; myOrders 1 + 10 × (1 + 2151) = 21 521 (it was 451 when items counted once).
    const res = await t.gql(
      '{ myOrders(first: 10) { edges { node { items { product { reviews(first: 20) { edges { node { body } } } } } } } } }',
      undefined,
      fromIp(randomIp()),
    );
    assert.equal(res.status, 400, res.text);
    assert.equal(codeOf(res), 'GRAPHQL_VALIDATION_FAILED');
    assert.match(res.body.errors?.[0]?.message ?? '', /costs 21521 points/);
    assert.equal(costOf(res).requested, 21521);
  });

  it('max cost with a literal first: the largest page passes, the first over is a 400', async () => {
    const ok = await t.gql(PAGE(100), undefined, fromIp(randomIp()));
    assert.equal(ok.status, 200, ok.text);
    assert.equal(costOf(ok).requested, 201);
    // Nested lists multiply: 1 product × 100 reviews = 1 + 1 × (1 + 1 + (1 + 100 × 2)) = 204.
    const nested = await t.gql(
      '{ products(first: 1) { edges { node { reviews(first: 100) { edges { node { id } } } } } } }',
      undefined,
      fromIp(randomIp()),
    );
    assert.equal(nested.status, 400, nested.text);
    assert.equal(codeOf(nested), 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(nested.body.data, undefined);
  });

  it('max cost with first from a variable costs exactly the same', async () => {
    const ip = fromIp(randomIp());
    const ok = await t.gql(PAGE_VAR, { n: 100 }, ip);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(costOf(ok).requested, 201);
    const over = await t.gql(
      'query($n: Int!) { products(first: 1) { edges { node { reviews(first: $n) { edges { node { id } } } } } } }',
      { n: 100 },
      ip,
    );
    assert.equal(over.status, 400);
    assert.equal(codeOf(over), 'GRAPHQL_VALIDATION_FAILED');
    // A huge first is refused before any resolver runs, not only by the service's 1..100 rule.
    const huge = await t.gql(PAGE_VAR, { n: 1_000_000 }, ip);
    assert.equal(huge.status, 400);
    assert.equal(codeOf(huge), 'GRAPHQL_VALIDATION_FAILED');
    // Costs are cached per document *and* variables: the same text with a smaller n costs less.
    const small = await t.gql(PAGE_VAR, { n: 3 }, ip);
    assert.equal(small.status, 200, small.text);
    assert.equal(costOf(small).requested, 7);
    const again = await t.gql(PAGE_VAR, { n: 100 }, ip);
    assert.equal(costOf(again).requested, 201);
  });

  it('aliases cannot multiply the cost: each aliased list is costed', async () => {
    const res = await t.gql(
      '{ a: products(first: 50) { edges { node { id } } } b: products(first: 50) { edges { node { id } } } }',
      undefined,
      fromIp(randomIp()),
    );
    assert.equal(res.status, 400, res.text);
    assert.equal(codeOf(res), 'GRAPHQL_VALIDATION_FAILED');
  });
});

describe('the hourly cost budget: reserve the estimate, pay the actual', () => {
  // PAGE(100) reserves 201 and, on a catalogue of 5 products, costs 1 + 5 × 2 = 11.
  let t: TestApp;
  before(async () => {
    t = await startApp({
      env: { ...TRUSTING_PROXY, MAX_COST: '201', COST_BUDGET_PER_HOUR: '250', HTTP_RATE_LIMIT: '100000' },
    });
    await createProducts(t, 5);
  });
  after(async () => {
    await t?.stop();
  });

  it('budget: the reservation needs the whole estimate; over it a 429 with Retry-After, nothing charged', async () => {
    const ip = fromIp(randomIp());
    // Each page reserves 201 (it needs 201 left) and pays 11: 250 → 239 → … → 195.
    for (let i = 0; i < 5; i++) {
      const res = await t.gql(PAGE(100), undefined, ip);
      assert.equal(res.status, 200, res.text);
      assert.equal(costOf(res).actual, 11);
      assert.equal(costOf(res).remaining, 250 - 11 * (i + 1));
    }
    const refused = await t.gql(PAGE(100), undefined, ip);
    assert.equal(refused.status, 429, refused.text);
    assert.equal(codeOf(refused), 'RATE_LIMITED');
    const retryAfter = refused.body.errors?.[0]?.extensions?.retryAfter as number;
    assert.ok(retryAfter > 3500 && retryAfter <= 3600, String(retryAfter));
    assert.equal(refused.headers.get('retry-after'), String(retryAfter));
    assert.equal(refused.body.data, undefined);
    assert.equal(costOf(refused).requested, 201);
    assert.equal(costOf(refused).actual, 0);
    assert.equal(costOf(refused).remaining, 195, 'the refused reservation was refunded');
    // A cheaper operation that fits the remaining budget still runs: it reserves 195, pays 11.
    const cheap = await t.gql(PAGE(97), undefined, ip);
    assert.equal(cheap.status, 200, cheap.text);
    assert.equal(costOf(cheap).requested, 195);
    assert.equal(costOf(cheap).remaining, 184);
    // Another client has its own budget.
    const other = await t.gql(PAGE(100), undefined, fromIp(randomIp()));
    assert.equal(other.status, 200);
    assert.ok(securityEvents(t, 'limit_hit').some((l) => l.code === 'RATE_LIMITED'));
  });

  it('budget is per viewer: a user has a budget apart from the IP it comes from', async () => {
    const ip = randomIp();
    const user = await insertUser(t, { ip });
    for (let i = 0; i < 5; i++) await t.gql(PAGE(100), undefined, fromIp(ip));
    assert.equal((await t.gql(PAGE(100), undefined, fromIp(ip))).status, 429);
    const res = await t.gql(PAGE(100), undefined, user.headers);
    assert.equal(res.status, 200, res.text);
    assert.equal(costOf(res).remaining, 250 - 11);
  });
});
