import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deleteRedisPrefix, startApp, type TestApp } from '../helpers/app.js';
import { requireService, TEST_REDIS_URL } from '../helpers/env.js';
import { codeOf } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { freePort } from '../helpers/process.js';
import { securityEvents } from '../helpers/security-events.js';
import { LOGIN_ATTEMPT, nobody, OwnedRedis, waitFor } from './limits-helpers.js';

/** Sends `n` login attempts from `ip`, alternating between the instances; counts the admitted ones. */
async function admittedLogins(instances: TestApp[], ip: string, n: number): Promise<number> {
  let admitted = 0;
  for (let i = 0; i < n; i++) {
    const res = await (instances[i % instances.length] as TestApp).gql(LOGIN_ATTEMPT, nobody(), fromIp(ip));
    const code = codeOf(res);
    if (code === 'UNAUTHENTICATED') admitted++;
    else assert.equal(code, 'RATE_LIMITED', res.text);
  }
  return admitted;
}

describe(
  'leased counting: two instances on one Redis keep a shared HTTP limit within the stated bound',
  { skip: requireService('REDIS_URL') },
  () => {
    // HTTP_RATE_LIMIT 500: leases up to 500 / 50 = 10 requests (store/leased-limiter.ts), so the
    // two instances admit at most 500, and at least 500 − (2 − 1) × 1.5 × 10.
    const prefix = `test:leased-${randomBytes(5).toString('hex')}:`;
    let a: TestApp;
    let b: TestApp;
    before(async () => {
      const env = { ...TRUSTING_PROXY, REDIS_PREFIX: prefix, HTTP_RATE_LIMIT: '500' };
      [a, b] = await Promise.all([startApp({ redis: true, env }), startApp({ redis: true, env })]);
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      if (TEST_REDIS_URL) await deleteRedisPrefix(TEST_REDIS_URL, prefix);
    });

    it('legitimate and attack: 650 requests from one network, in bursts over both instances, admit 485 to 500', async () => {
      const ip = fromIp(randomIp());
      const statuses: number[] = [];
      for (let burst = 0; burst < 65; burst++) {
        const instance = burst % 3 ? a : b;
        const answers = await Promise.all(
          Array.from({ length: 10 }, () => instance.gql('{ health }', undefined, ip)),
        );
        statuses.push(...answers.map((r) => r.status));
      }
      const admitted = statuses.filter((s) => s === 200).length;
      assert.equal(admitted + statuses.filter((s) => s === 429).length, 650, 'only 200 or 429');
      assert.ok(admitted <= 500, `admitted ${admitted}: over the limit`);
      assert.ok(admitted >= 485, `admitted only ${admitted}: refused too early`);
    });
  },
);

describe('limits shared by two instances on the real Redis', { skip: requireService('REDIS_URL') }, () => {
  const prefix = `test:limits-${randomBytes(5).toString('hex')}:`;
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    const env = {
      ...TRUSTING_PROXY,
      REDIS_PREFIX: prefix,
      HTTP_RATE_LIMIT: '20',
      COST_BUDGET_PER_HOUR: '500',
    };
    [a, b] = await Promise.all([startApp({ redis: true, env }), startApp({ redis: true, env })]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (TEST_REDIS_URL) await deleteRedisPrefix(TEST_REDIS_URL, prefix);
  });

  it('@rateLimit: a limit of 10 admits exactly 10 across both instances', async () => {
    assert.equal(await admittedLogins([a, b], randomIp(), 16), 10);
  });

  it('HTTP limit: 20 requests per window in total across both instances', async () => {
    const ip = fromIp(randomIp());
    const statuses: number[] = [];
    for (let i = 0; i < 26; i++)
      statuses.push((await (i % 2 ? b : a).gql('{ health }', undefined, ip)).status);
    assert.equal(statuses.filter((s) => s === 200).length, 20);
    assert.equal(statuses.filter((s) => s === 429).length, 6);
  });

  it('cost budget: one budget across both instances', async () => {
    const ip = fromIp(randomIp());
    const page = '{ products(first: 100) { edges { node { id } } } }'; // reserves 201 points
    type Cost = { requested: number; actual: number; remaining: number };
    const first = await a.gql(page, undefined, ip);
    assert.equal(first.status, 200);
    const one = first.body.extensions?.cost as Cost;
    assert.equal(one.requested, 201);
    assert.equal(one.remaining, 500 - one.actual);
    // The second instance sees what the first charged (the actual, after its refund), less at
    // most what the first still holds leased (store/leased-limiter.ts: under 1.5 × maxLease, and
    // maxLease is 500 / 50 = 10).
    const second = await b.gql(page, undefined, ip);
    assert.equal(second.status, 200);
    const two = second.body.extensions?.cost as Cost;
    const exact = 500 - one.actual - two.actual;
    assert.ok(two.remaining <= exact && two.remaining >= exact - 15, `${two.remaining} vs ${exact}`);
    // A reservation just over what is left (1 + 2n > remaining), on the other instance: 429.
    const n = Math.floor((two.remaining + 1) / 2);
    const third = await a.gql(`{ products(first: ${n}) { edges { node { id } } } }`, undefined, ip);
    assert.equal(third.status, 429, third.text);
    assert.equal(codeOf(third), 'RATE_LIMITED');
  });

  it('limiter keys live under REDIS_PREFIX', async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(TEST_REDIS_URL as string);
    try {
      const keys = await redis.keys(`${prefix}*`);
      assert.ok(
        keys.some((k) => k.startsWith(`${prefix}rl:field:net:`) && k.endsWith(':Mutation.login')),
        keys.join(),
      );
      assert.ok(keys.some((k) => k.startsWith(`${prefix}rl:http:net:`)));
      assert.ok(keys.some((k) => k.startsWith(`${prefix}cost:net:`)));
    } finally {
      redis.disconnect();
    }
  });
});

describe(
  'Redis outage: insurance limiter takes over, Redis takes back',
  { skip: requireService('REDIS_URL') },
  () => {
    let owned: OwnedRedis;
    let a: TestApp;
    let b: TestApp;
    before(async () => {
      owned = new OwnedRedis(await freePort());
      await owned.start();
      const env = { ...TRUSTING_PROXY, REDIS_PREFIX: `test:outage-${randomBytes(4).toString('hex')}:` };
      [a, b] = await Promise.all([startApp({ redis: owned.url, env }), startApp({ redis: owned.url, env })]);
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await owned?.stop();
    });

    it('shared limiting before, per-instance limiting during the outage, shared again after', async () => {
      assert.equal(await admittedLogins([a, b], randomIp(), 14), 10, 'shared before the outage');

      await owned.stop();
      await waitFor(() => securityEvents(a, 'store_failover').some((l) => l.store === 'memory'));
      await waitFor(() => securityEvents(b, 'store_failover').some((l) => l.store === 'memory'));
      // Still served, still limited: each instance limits on its own memory (10 each).
      const ip = randomIp();
      assert.equal(await admittedLogins([a], ip, 12), 10);
      assert.equal(await admittedLogins([b], ip, 12), 10);
      assert.equal((await a.gql('{ health }', undefined, fromIp(randomIp()))).status, 200);

      await owned.start();
      await waitFor(() => securityEvents(a, 'store_failover').some((l) => l.store === 'redis'));
      await waitFor(() => securityEvents(b, 'store_failover').some((l) => l.store === 'redis'));
      assert.equal(await admittedLogins([a, b], randomIp(), 14), 10, 'shared again after the restart');
    });
  },
);
