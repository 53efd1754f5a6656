import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { hashPassword } from '../../src/auth/passwords.js';
import { loadTypeDefs } from '../../src/schema.js';
import { createFailureCounters } from '../../src/store/failure-counters.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { codeOf, type GqlResponse } from '../helpers/graphql.js';
import { randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { login, setCookieOf } from '../helpers/users.js';

/**
 * The real SDL with login's own @rateLimit (10 a minute per client) raised: these tests aim at
 * the throttle, and a long hammering from one network would meet the field limit first.
 */
function throttleOnlyTypeDefs(): string[] {
  const field = /(\blogin\(input: LoginInput!\)[^\n]*@rateLimit\(limit: )\d+/;
  const sdl = loadTypeDefs();
  assert.ok(
    sdl.some((s) => field.test(s)),
    'the login field and its @rateLimit are where this test expects',
  );
  return sdl.map((s) => s.replace(field, '$11000'));
}

type Clock = { t: number };
const SECOND = 1000;

/** Accounts inserted with SQL and one shared password hash (a fixture: no register limit, one hash). */
async function insertAccounts(t: TestApp, count: number, password: string): Promise<string[]> {
  const hash = await hashPassword(password);
  const emails = Array.from({ length: count }, () => `lt-${randomBytes(6).toString('hex')}@example.com`);
  for (const email of emails) {
    await t.app.db.query(
      'INSERT INTO users (email, name, password_hash, email_verified_at) VALUES ($1, $2, $3, now())',
      [email, 'Throttled User', hash],
    );
  }
  return emails;
}

const WRONG = 'wrong-password-guess';
const retryAfterOf = (res: GqlResponse) => res.body.errors?.[0]?.extensions?.retryAfter;

/** The answer of a delayed attempt: RATE_LIMITED as a field error (HTTP 200), no data, no session. */
function assertDelayed(res: GqlResponse, retryAfter: number, what: string) {
  assert.equal(res.status, 200, what);
  assert.equal(codeOf(res), 'RATE_LIMITED', `${what}: ${res.text}`);
  assert.equal(res.body.data, null, what);
  assert.equal(retryAfterOf(res), retryAfter, `${what}: retryAfter`);
  assert.equal(setCookieOf(res), undefined, `${what}: no session`);
}

function assertWrongPassword(res: GqlResponse, what: string) {
  assert.equal(res.status, 200, what);
  assert.equal(codeOf(res), 'UNAUTHENTICATED', `${what}: ${res.text}`);
  assert.equal(res.body.data, null, what);
}

function assertSignedIn(res: GqlResponse, email: string, what: string) {
  assert.equal(res.status, 200, what);
  assert.equal(res.body.errors, undefined, `${what}: ${res.text}`);
  assert.equal((res.body.data?.login as { user: { email: string } } | undefined)?.user.email, email, what);
  assert.ok(setCookieOf(res), `${what}: a session`);
}

/** Login throttling (docs/authentication.md) over HTTP, on the in-memory store and on Redis. */
export function loginThrottleSuite(store: 'memory' | 'redis'): void {
  describe(`login throttling, default thresholds (${store} store)`, () => {
    let t: TestApp;
    const clock: Clock = { t: Date.now() };
    const password = `pw-${randomBytes(9).toString('hex')}`;

    before(async () => {
      t = await startApp({
        redis: store === 'redis',
        env: TRUSTING_PROXY,
        now: () => clock.t,
        typeDefs: throttleOnlyTypeDefs(),
      });
    });
    after(() => t?.stop());

    it('an attacker hammering an account slows their own network (growing retryAfter); the owner signs in from another', async () => {
      const [owner] = await insertAccounts(t, 1, password);
      assert.ok(owner);
      const attacker = randomIp();
      const answers: string[] = [];
      const waits: number[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await login(t, owner, WRONG, attacker);
        const code = String(codeOf(res));
        answers.push(code);
        if (code === 'RATE_LIMITED') {
          assertDelayed(res, Number(retryAfterOf(res)), `attempt ${i + 1}`);
          waits.push(Number(retryAfterOf(res)));
          // The attacker waits exactly as long as told, then tries again.
          clock.t += Number(retryAfterOf(res)) * SECOND;
        } else assertWrongPassword(res, `attempt ${i + 1}`);
      }
      // Five free guesses, then one guess per delay, each delay twice the last, up to 15 minutes.
      assert.deepEqual(answers.slice(0, 6), [...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
      assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
      assert.equal(answers.filter((a) => a === 'UNAUTHENTICATED').length, 17, 'guesses that were checked');

      // The owner, from a network with no failures, signs in at once with the right password.
      assertSignedIn(await login(t, owner, password, randomIp()), owner, 'the owner');
      // The owner's success elsewhere does not lift the attacker's delays: still at the cap.
      assertWrongPassword(await login(t, owner, WRONG, attacker), 'the attacker, after the wait');
      assertDelayed(await login(t, owner, password, attacker), 900, 'the attacker, even with the password');

      const events = securityEvents(t, 'lockout');
      assert.ok(events.some((e) => e.action === 'locked' && e.lock === 'pair'));
      assert.ok(events.some((e) => e.action === 'refused' && e.lock === 'pair' && e.retryAfter === 900));
      assert.doesNotMatch(JSON.stringify(events), /@example\.com/, 'no email in the events');
    });

    it('progressive delays on one (account, network): 1 s, 2 s, 4 s …; a right password resets them', async () => {
      const [email] = await insertAccounts(t, 1, password);
      assert.ok(email);
      const home = randomIp();
      for (let i = 1; i <= 5; i++) assertWrongPassword(await login(t, email, WRONG, home), `failure ${i}`);
      // During a delay the right password waits too: the delay is the pair's, whoever types.
      assertDelayed(await login(t, email, password, home), 1, 'after 5 failures');
      clock.t += 500;
      assertDelayed(await login(t, email, password, home), 1, 'half a second later (rounded up)');
      clock.t += 500;
      assertWrongPassword(await login(t, email, WRONG, home), 'failure 6');
      assertDelayed(await login(t, email, WRONG, home), 2, 'after 6 failures');
      clock.t += 2 * SECOND;
      assertWrongPassword(await login(t, email, WRONG, home), 'failure 7');
      assertDelayed(await login(t, email, WRONG, home), 4, 'after 7 failures');
      clock.t += 4 * SECOND;
      assertSignedIn(await login(t, email, password, home), email, 'the right password after the wait');
      // The success forgot the pair's failures: five free attempts again, then 1 s.
      for (let i = 1; i <= 5; i++) assertWrongPassword(await login(t, email, WRONG, home), `again ${i}`);
      assertDelayed(await login(t, email, WRONG, home), 1, 'after 5 new failures');
    });

    it('an unknown account is delayed exactly like a real one (no enumeration through delays)', async () => {
      const [real] = await insertAccounts(t, 1, password);
      assert.ok(real);
      const ghost = `ghost-${randomBytes(6).toString('hex')}@example.com`;
      const run = async (email: string) => {
        const ip = randomIp();
        const seen: unknown[] = [];
        for (let i = 0; i < 7; i++) {
          const res = await login(t, email, WRONG, ip);
          seen.push([codeOf(res), retryAfterOf(res) ?? null, res.status]);
        }
        return seen;
      };
      assert.deepEqual(await run(ghost), await run(real));
    });

    it('parallel wrong passwords from one network all count: 10 at once get 5 guesses, 4 at once leave one free', async () => {
      const [first, second] = await insertAccounts(t, 2, password);
      assert.ok(first && second);
      const ip = randomIp();
      const burst = await Promise.all(Array.from({ length: 10 }, () => login(t, first, WRONG, ip)));
      assert.equal(burst.filter((r) => codeOf(r) === 'UNAUTHENTICATED').length, 5);
      const refused = burst.filter((r) => codeOf(r) === 'RATE_LIMITED');
      assert.equal(refused.length, 5);
      for (const r of refused) assertDelayed(r, 1, 'a refused parallel guess');

      const other = randomIp();
      const four = await Promise.all(Array.from({ length: 4 }, () => login(t, second, WRONG, other)));
      for (const r of four) assertWrongPassword(r, 'one of 4 parallel guesses');
      assertWrongPassword(await login(t, second, WRONG, other), 'the fifth failure');
      assertDelayed(await login(t, second, password, other), 1, 'all five were counted');
    });

    it('50 users behind one network, each mistyping once, all sign in (the network threshold is 100)', async () => {
      const emails = await insertAccounts(t, 50, password);
      const office = randomIp();
      for (let i = 0; i < emails.length; i += 10) {
        const batch = emails.slice(i, i + 10);
        const wrong = await Promise.all(batch.map((e) => login(t, e, WRONG, office)));
        for (const r of wrong) assertWrongPassword(r, 'a typo');
        const right = await Promise.all(batch.map((e) => login(t, e, password, office)));
        right.forEach((r, j) => assertSignedIn(r, batch[j] ?? '', 'the second try'));
      }
      if (store === 'redis') {
        const redis = new Redis(TEST_REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
        try {
          const keys = await redis.keys(`${t.redisPrefix}login:*`);
          assert.ok(
            keys.some((k) => k.startsWith(`${t.redisPrefix}login:n:`)),
            'counters live in Redis',
          );
          const values = await Promise.all(keys.map((k) => redis.hgetall(k)));
          assert.doesNotMatch(JSON.stringify([keys, values]), /@example\.com/, 'no email in Redis');
        } finally {
          redis.disconnect();
        }
      }
    });
  });

  describe(`login throttling, low network and account thresholds (${store} store)`, () => {
    let t: TestApp;
    const clock: Clock = { t: Date.now() };
    const password = `pw-${randomBytes(9).toString('hex')}`;

    before(async () => {
      t = await startApp({
        redis: store === 'redis',
        env: { ...TRUSTING_PROXY, LOGIN_IP_MAX_FAILURES: '8', LOGIN_ACCOUNT_MAX_FAILURES: '10' },
        now: () => clock.t,
        typeDefs: throttleOnlyTypeDefs(),
      });
    });
    after(() => t?.stop());

    it('account-wide: below the threshold the owner gets in; past it every network waits, progressively, and the owner is told RATE_LIMITED', async () => {
      const [owner, bystander] = await insertAccounts(t, 2, password);
      assert.ok(owner && bystander);
      // A botnet: one guess per network, never enough to delay any one pair or network.
      const bots = Array.from({ length: 9 }, randomIp);
      for (const ip of bots) assertWrongPassword(await login(t, owner, WRONG, ip), 'a bot');
      assertSignedIn(await login(t, owner, password, randomIp()), owner, 'the owner below the threshold');
      assertWrongPassword(await login(t, owner, WRONG, randomIp()), 'the tenth failure');
      // Past the threshold: the right password from a clean network waits too, and is told so.
      assertDelayed(await login(t, owner, password, randomIp()), 1, 'the owner after 10 failures');
      clock.t += SECOND;
      assertWrongPassword(await login(t, owner, WRONG, randomIp()), 'a bot after the wait');
      assertDelayed(await login(t, owner, password, randomIp()), 2, 'the owner after 11 failures');
      clock.t += 2 * SECOND;
      assertWrongPassword(await login(t, owner, WRONG, randomIp()), 'a bot after the wait');
      assertDelayed(await login(t, owner, WRONG, randomIp()), 4, 'anyone after 12 failures');
      // Only that account: another user signs in from the bots' own networks.
      assertSignedIn(await login(t, bystander, password, bots[0] ?? ''), bystander, 'a bystander');
      // A delay, not a wall: once it has passed the owner gets in.
      clock.t += 4 * SECOND;
      assertSignedIn(await login(t, owner, password, randomIp()), owner, 'the owner after the wait');
      const events = securityEvents(t, 'lockout');
      assert.ok(events.some((e) => e.action === 'locked' && e.lock === 'account'));
      assert.ok(events.some((e) => e.action === 'refused' && e.lock === 'account'));
    });

    it('password spraying: one network failing over many accounts is slowed, on every account, per network', async () => {
      const accounts = await insertAccounts(t, 10, password);
      const sprayer = randomIp();
      for (const email of accounts.slice(0, 8)) {
        assertWrongPassword(await login(t, email, WRONG, sprayer), 'a sprayed guess');
      }
      const [ninth, tenth] = accounts.slice(8);
      assert.ok(ninth && tenth);
      assertDelayed(await login(t, ninth, password, sprayer), 1, 'the network after 8 failures');
      clock.t += SECOND;
      assertWrongPassword(await login(t, ninth, WRONG, sprayer), 'a guess after the wait');
      assertDelayed(await login(t, tenth, WRONG, sprayer), 2, 'the network after 9 failures');
      assert.ok(securityEvents(t, 'lockout').some((e) => e.action === 'locked' && e.lock === 'network'));
      // The accounts are not delayed: from any other network their owners sign in.
      for (const email of [accounts[0] ?? '', ninth]) {
        assertSignedIn(await login(t, email, password, randomIp()), email, 'an owner elsewhere');
      }
    });

    it('parallel guesses over many accounts from one network all count: 12 at once get 8', async () => {
      const ip = randomIp();
      const emails = Array.from(
        { length: 12 },
        (_, i) => `spray-${i}-${randomBytes(4).toString('hex')}@example.com`,
      );
      const results = await Promise.all(emails.map((e) => login(t, e, WRONG, ip)));
      assert.equal(results.filter((r) => codeOf(r) === 'UNAUTHENTICATED').length, 8);
      const refused = results.filter((r) => codeOf(r) === 'RATE_LIMITED');
      assert.equal(refused.length, 4);
      for (const r of refused) assertDelayed(r, 1, 'a refused parallel guess');
    });
  });

  if (store === 'redis') {
    describe('login throttling while Redis is unreachable', () => {
      it('falls back to counting in this process (the in-memory insurance)', async () => {
        const redis = new Redis('redis://127.0.0.1:1', {
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        redis.on('error', () => undefined);
        const counters = createFailureCounters({
          redis,
          prefix: 'unreachable:',
          policy: { windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 60_000 },
        });
        const scope = [{ key: 'k', threshold: 2 }];
        assert.deepEqual(await counters.reserve(scope), { ok: true, counts: [1] });
        assert.deepEqual(await counters.reserve(scope), { ok: true, counts: [2] });
        const refused = await counters.reserve(scope);
        assert.equal(refused.ok, false);
        redis.disconnect();
      });
    });
  }
}
