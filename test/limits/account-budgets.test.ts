import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type StartOptions, type TestApp } from '../helpers/app.js';
import { requireService } from '../helpers/env.js';
import { createProducts } from '../helpers/fixtures.js';
import { codeOf, type GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { createApiKey, insertUser } from '../helpers/users.js';

// API keys draw from their owner's budgets: one user's tokens and keys are one account for
// @rateLimit and for the hourly cost budget, so making keys buys no extra budget.

const ADD_REVIEW = 'mutation($input: AddReviewInput!) { addReview(input: $input) { id } }';
/** products(first: 10) { edges { node { id } } }: 1 + 10 × 2 = 21 points (12 products exist). */
const PAGE_OF_10 = '{ products(first: 10) { edges { node { id } } } }';
const PAGE_COST = 21;

interface Cost {
  requested: number;
  actual: number;
  remaining: number;
}
const costOf = (res: GqlResponse) => res.body.extensions?.cost as Cost;

/** A user with its token and three API keys, every request from one address. */
async function userWithKeys(t: TestApp) {
  const ip = randomIp();
  const user = await insertUser(t, { ip });
  const keys: Record<string, string>[] = [];
  for (let i = 0; i < 3; i++) {
    const key = await createApiKey(t, user, ['REVIEWS_WRITE', 'PRODUCTS_READ']);
    keys.push({ ...key.headers, ...fromIp(ip) });
  }
  return { user, keys, token: user.headers };
}

function suite(name: string, start: StartOptions, skip: string | false) {
  describe(name, { skip }, () => {
    let t: TestApp;
    let products: string[];
    before(async () => {
      t = await startApp({
        ...start,
        env: { ...TRUSTING_PROXY, COST_BUDGET_PER_HOUR: '200', HTTP_RATE_LIMIT: '100000' },
      });
      products = await createProducts(t, 12);
    });
    after(async () => {
      await t?.stop();
    });

    const review = (i: number) => ({ input: { productId: products[i], rating: 5, body: `review ${i}` } });

    it('attack: 3 API keys and the token of one user share one addReview limit (10 per minute)', async () => {
      const { keys, token } = await userWithKeys(t);
      const callers = [...keys, token];
      for (let i = 0; i < 10; i++) {
        const res = await t.gql(ADD_REVIEW, review(i), callers[i % callers.length]);
        assert.equal(res.body.errors, undefined, `call ${i + 1}: ${res.text}`);
      }
      // The 11th call overall is refused whichever credential makes it: each key has made at most 3.
      for (const caller of callers) {
        const refused = await t.gql(ADD_REVIEW, review(10), caller);
        assert.equal(refused.status, 200);
        assert.equal(codeOf(refused), 'RATE_LIMITED', refused.text);
        assert.ok((refused.body.errors?.[0]?.extensions?.retryAfter as number) >= 1);
      }
    });

    it('legitimate: another user (same address, own keys) keeps its own addReview limit', async () => {
      const first = await userWithKeys(t);
      for (let i = 0; i < 10; i++) await t.gql(ADD_REVIEW, review(i), first.keys[i % 3]);
      assert.equal(codeOf(await t.gql(ADD_REVIEW, review(10), first.token)), 'RATE_LIMITED');
      const other = await insertUser(t, { ip: randomIp() });
      const otherKey = await createApiKey(t, other, ['REVIEWS_WRITE']);
      const res = await t.gql(ADD_REVIEW, review(11), otherKey.headers);
      assert.equal(res.body.errors, undefined, res.text);
    });

    it('the cost budget falls across keys and the token: remaining drops by each call’s cost', async () => {
      const { keys, token } = await userWithKeys(t);
      let remaining = costOf(await t.gql('{ health }', undefined, token)).remaining;
      for (const caller of [keys[0], keys[1], keys[2], token]) {
        const res = await t.gql(PAGE_OF_10, undefined, caller);
        assert.equal(res.status, 200, res.text);
        const cost = costOf(res);
        assert.equal(cost.actual, PAGE_COST);
        assert.equal(cost.remaining, remaining - PAGE_COST, 'one budget for the account');
        remaining = cost.remaining;
      }
    });

    it('attack: a key that has spent nothing is refused once its owner’s budget is spent (429)', async () => {
      const { keys } = await userWithKeys(t);
      const [spender1, spender2, fresh] = keys;
      assert.ok(spender1 && spender2 && fresh);
      // Spend the budget with two keys, alternately, until a page of 10 no longer fits.
      let remaining = Infinity;
      for (let i = 0; remaining >= PAGE_COST; i++) {
        const res = await t.gql(PAGE_OF_10, undefined, i % 2 === 0 ? spender1 : spender2);
        assert.equal(res.status, 200, res.text);
        remaining = costOf(res).remaining;
        assert.ok(i < 20, 'the budget ran out');
      }
      const refused = await t.gql(PAGE_OF_10, undefined, fresh);
      assert.equal(refused.status, 429, refused.text);
      assert.equal(codeOf(refused), 'RATE_LIMITED');
      assert.equal(
        refused.headers.get('retry-after'),
        String(refused.body.errors?.[0]?.extensions?.retryAfter),
      );
      assert.equal(costOf(refused).remaining, remaining, 'the refused reservation was refunded');
    });
  });
}

suite('API keys draw from their owner’s budgets (in memory, PGlite)', { driver: 'pglite' }, false);
suite(
  'API keys draw from their owner’s budgets (Redis, PostgreSQL)',
  { driver: 'pg', redis: true },
  requireService('REDIS_URL') || requireService('DATABASE_URL'),
);
