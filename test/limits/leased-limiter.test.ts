import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { createLeasedLimiter, MEMORY_MS, type CountingLimiter } from '../../src/store/leased-limiter.js';
import { deleteRedisPrefix } from '../helpers/app.js';
import { TEST_REDIS_URL } from '../helpers/env.js';

// The leased limiter (store/leased-limiter.ts): counted in memory on allowances leased from a
// shared store. The bounds it states are checked here with several "instances" (leased limiters)
// on one store: never over the limit; early refusals at most (instances − 1) × 1.5 × maxLease;
// a refused consume spends nothing; few store round trips for a steady client.

/** A memory store that counts its consumes (the round trips a Redis store would make). */
class CountingStore extends RateLimiterMemory {
  consumes = 0;
  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    this.consumes++;
    return super.consume(key, points, options);
  }
}

const refused = (error: unknown) => {
  assert.ok(error instanceof RateLimiterRes, String(error));
  return error;
};

/** Spends `points` on `limiter`: true when admitted, false when refused. */
const spend = (limiter: CountingLimiter, key: string, points = 1) =>
  limiter.consume(key, points).then(
    () => true,
    (error: unknown) => (refused(error), false),
  );

describe('leased limiter on a shared memory store', () => {
  it('one instance admits exactly the limit, and the store is asked a few times, not per request', async () => {
    const store = new CountingStore({ points: 1000, duration: 60 });
    const limiter = createLeasedLimiter({ store, points: 1000 });
    let admitted = 0;
    for (let i = 0; i < 1200; i++) if (await spend(limiter, 'k')) admitted++;
    assert.equal(admitted, 1000);
    // Slow start to leases of 20 (1000 / 50): about 1000 / 20 + a few, not 1,200.
    assert.ok(store.consumes < 120, `store consumes: ${store.consumes}`);
    const state = await store.get('k');
    assert.ok(state && state.consumedPoints <= 1000, 'refused consumes spent nothing in the store');
  });

  it('attack: three instances under concurrent load never admit more than the limit, and refuse at most (n − 1) × 1.5 × maxLease early', async () => {
    const limit = 500;
    const maxLease = 10;
    const store = new RateLimiterMemory({ points: limit, duration: 60 });
    const instances = [0, 1, 2].map(() => createLeasedLimiter({ store, points: limit, maxLease }));
    const results = await Promise.all(
      Array.from({ length: 800 }, (_, i) => spend(instances[(i * 7) % 3]!, 'client')),
    );
    const admitted = results.filter(Boolean).length;
    assert.ok(admitted <= limit, `admitted ${admitted} > ${limit}`);
    assert.ok(admitted >= limit - 2 * 1.5 * maxLease, `admitted only ${admitted}`);
  });

  it('a refused consume spends nothing; a smaller one that fits is still admitted', async () => {
    const store = new RateLimiterMemory({ points: 10, duration: 60 });
    const limiter = createLeasedLimiter({ store, points: 10 });
    await limiter.consume('k', 8);
    const no = await limiter.consume('k', 5).catch((error: unknown) => refused(error));
    assert.ok(no instanceof RateLimiterRes);
    assert.equal(no.remainingPoints, 2);
    assert.ok(no.msBeforeNext > 0);
    assert.ok(await spend(limiter, 'k', 2), 'the 2 points left are still there');
    assert.equal(await spend(limiter, 'k', 1), false);
  });

  it('points given back are spent again here; past the lease size they go back to the store for the others', async () => {
    const store = new CountingStore({ points: 100, duration: 60 });
    const a = createLeasedLimiter({ store, points: 100, maxLease: 5 });
    const b = createLeasedLimiter({ store, points: 100, maxLease: 5 });
    await a.consume('k', 90);
    const back = await a.reward('k', 80);
    assert.equal(back.consumedPoints, 10, 'a sees what it really spent');
    const held = 100 - (await store.get('k'))!.remainingPoints - 10;
    assert.ok(held >= 0 && held <= 5, `a keeps at most a lease: ${held}`);
    // b can spend what a gave back, within a's lease.
    let admitted = 0;
    while (await spend(b, 'k')) admitted++;
    assert.ok(admitted >= 90 - 5 && admitted <= 90, String(admitted));
  });

  it('penalty spends without refusing: the debt is paid from the next lease', async () => {
    const store = new RateLimiterMemory({ points: 20, duration: 60 });
    const limiter = createLeasedLimiter({ store, points: 20 });
    await limiter.consume('k', 5);
    const after = await limiter.penalty('k', 30);
    assert.equal(after.remainingPoints, 0);
    assert.equal(await spend(limiter, 'k', 1), false, 'over the limit after the penalty');
  });

  it('a refusal is repeated from memory for MEMORY_MS without asking the store; the window ends on time', async () => {
    const store = new CountingStore({ points: 3, duration: 1 });
    const limiter = createLeasedLimiter({ store, points: 3 });
    for (let i = 0; i < 3; i++) assert.ok(await spend(limiter, 'k'));
    assert.equal(await spend(limiter, 'k'), false);
    const asked = store.consumes;
    for (let i = 0; i < 50; i++) assert.equal(await spend(limiter, 'k'), false);
    assert.equal(store.consumes, asked, 'the flood past the limit never reached the store');
    assert.ok(MEMORY_MS <= 1000);
    await sleep(1100);
    assert.ok(await spend(limiter, 'k'), 'a new window');
  });

  it('reads come from the lease, or from the store at most once per MEMORY_MS', async () => {
    const store = new RateLimiterMemory({ points: 10, duration: 60 });
    let gets = 0;
    const get = store.get.bind(store);
    store.get = (key, options) => {
      gets++;
      return get(key, options);
    };
    const limiter = createLeasedLimiter({ store, points: 10 });
    assert.equal(await limiter.get('unseen'), null);
    for (let i = 0; i < 20; i++) await limiter.get('unseen');
    assert.equal(gets, 1);
    await limiter.consume('k', 4);
    assert.equal((await limiter.get('k'))?.consumedPoints, 4);
    assert.equal(gets, 1, 'a leased key is read locally');
  });
});

describe('leased limiter on the real Redis', { skip: !TEST_REDIS_URL }, () => {
  const prefix = `test:leased-${randomBytes(4).toString('hex')}:`;
  let redis: Redis;
  before(() => {
    redis = new Redis(TEST_REDIS_URL ?? '');
  });
  after(async () => {
    redis?.disconnect();
    await deleteRedisPrefix(TEST_REDIS_URL ?? '', prefix);
  });

  it('two instances (two clients, one Redis) admit the limit and no more under concurrent load', async () => {
    const limit = 300;
    const maxLease = 6;
    const second = new Redis(TEST_REDIS_URL ?? '');
    try {
      const stores = [redis, second].map(
        (storeClient) =>
          new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}rl`, points: limit, duration: 60 }),
      );
      const [a, b] = stores.map((store) => createLeasedLimiter({ store, points: limit, maxLease }));
      const results = await Promise.all(
        Array.from({ length: 450 }, (_, i) => spend(i % 3 ? a! : b!, 'client')),
      );
      const admitted = results.filter(Boolean).length;
      assert.ok(admitted <= limit, `admitted ${admitted} > ${limit}`);
      assert.ok(admitted >= limit - 1.5 * maxLease, `admitted only ${admitted}`);
      // A background top-up the store refused is counted there until its give-back lands (one
      // round trip after the spends settle): wait for it, then the store holds no more than the limit.
      let counted = Infinity;
      for (let i = 0; i < 40 && counted > limit; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 25));
        counted = Number(await redis.get(`${prefix}rl:client`));
      }
      assert.ok(counted <= limit, `the store counted ${counted}`);
    } finally {
      second.disconnect();
    }
  });
});
