import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { REFRESH_COOKIE, REFRESH_TTL_SECONDS } from '../../src/auth/refresh-cookie.js';
import { createMemorySessionStore } from '../../src/store/memory-session-store.js';
import { createRedisSessionStore } from '../../src/store/redis-session-store.js';
import type { SessionStore, SessionStoreTiming } from '../../src/store/session-store.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import {
  login,
  LOGOUT,
  LOGOUT_EVERYWHERE,
  refresh,
  registerUser,
  setCookieOf,
  VIEWER,
  withCookie,
} from '../helpers/users.js';
import { TEST_REDIS_URL } from '../helpers/env.js';

type Payload = { accessToken: string; user: { id: string } };

const DAY = 24 * 60 * 60;
const tokenHash = () => randomBytes(32).toString('hex');

/** Every key (and string/hash value) the app wrote under its Redis prefix. */
async function redisDump(prefix: string): Promise<string> {
  const redis = new Redis(TEST_REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(`${prefix}*`);
    const parts: string[] = [...keys];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') parts.push((await redis.get(key)) ?? '');
      if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      if (type === 'set') parts.push(...(await redis.smembers(key)));
    }
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}

/** Refresh sessions, run on the in-memory store and on the real Redis (login throttling: login-throttle.suite.ts). */
export function sessionsSuite(store: 'memory' | 'redis'): void {
  describe(`refresh sessions (${store} store)`, () => {
    let t: TestApp;

    before(async () => {
      t = await startApp({ redis: store === 'redis', env: TRUSTING_PROXY });
    });
    after(() => t?.stop());

    it('login sets the refresh cookie: __Host-, httpOnly, Secure, SameSite=Strict, Path=/, 7 days', async () => {
      const user = await registerUser(t);
      const res = await login(t, user.email, user.password, user.ip);
      assert.equal(res.status, 200);
      const cookie = setCookieOf(res);
      assert.ok(cookie, 'a refresh cookie is set');
      assert.match(cookie.value, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(REFRESH_COOKIE.startsWith('__Host-'), true);
      assert.match(cookie.raw, /; HttpOnly/);
      assert.match(cookie.raw, /; Secure/);
      assert.match(cookie.raw, /; SameSite=Strict/);
      assert.match(cookie.raw, /; Path=\/(;|$)/);
      assert.match(cookie.raw, /; Max-Age=604800/);
      assert.doesNotMatch(cookie.raw, /Domain=/i);
      assert.doesNotMatch(JSON.stringify(res.body), new RegExp(cookie.value), 'never in the body');
      if (store === 'redis') {
        const dump = await redisDump(t.redisPrefix);
        assert.match(dump, /sess:/, 'sessions live in Redis');
        assert.ok(!dump.includes(cookie.value), 'only the hash of the refresh token is stored');
      }
    });

    it('refresh through the cookie rotates it: new access token, new cookie, the old one is dead', async () => {
      const user = await registerUser(t);
      const res = await refresh(t, user.refresh, user.ip);
      assert.equal(res.status, 200, res.text);
      const payload = res.body.data?.refreshSession as Payload;
      assert.equal(payload.user.id, user.id);
      const next = setCookieOf(res)?.value;
      assert.ok(next && next !== user.refresh, 'a new refresh token');
      const viewer = await t.gql(VIEWER, {}, { authorization: `Bearer ${payload.accessToken}` });
      assert.equal((viewer.body.data?.viewer as { id: string }).id, user.id);
      // The rotated chain goes on working.
      const again = await refresh(t, next, user.ip);
      assert.equal(again.status, 200);
      assert.ok(again.body.data?.refreshSession);
    });

    it('refuses refresh without a cookie, or with an unknown one', async () => {
      const ip = randomIp();
      const none = await t.gql('mutation { refreshSession { accessToken } }', {}, fromIp(ip));
      assert.equal(none.status, 200);
      assert.equal(codeOf(none), 'UNAUTHENTICATED');
      const unknown = await refresh(t, 'A'.repeat(43), ip);
      assert.equal(codeOf(unknown), 'UNAUTHENTICATED');
      const garbage = await refresh(t, "x'; DROP TABLE users; --", ip);
      assert.equal(codeOf(garbage), 'UNAUTHENTICATED');
    });

    it('a reused (already rotated) refresh token revokes the whole family and logs token_reuse', async () => {
      const user = await registerUser(t);
      const first = await refresh(t, user.refresh, user.ip);
      const current = setCookieOf(first)?.value;
      assert.ok(current);

      const reuse = await refresh(t, user.refresh, randomIp());
      assert.equal(reuse.status, 200);
      assert.equal(codeOf(reuse), 'UNAUTHENTICATED');
      assert.equal(reuse.body.data, null);
      assert.match(setCookieOf(reuse)?.raw ?? '', /Expires=Thu, 01 Jan 1970/, 'the cookie is cleared');

      const legit = await refresh(t, current, user.ip);
      assert.equal(codeOf(legit), 'UNAUTHENTICATED', 'the family is revoked: the newest token fails too');

      const events = securityEvents(t, 'token_reuse').filter((e) => e.userId === user.id);
      assert.equal(events.length, 1);
      assert.ok(events[0]?.familyId && events[0]?.requestId && events[0]?.ip);
      const logText = t.rawLogs.join('\n');
      assert.ok(!logText.includes(user.refresh) && !logText.includes(current), 'no refresh token in the log');

      // Other families of the user are untouched: a new login still works and refreshes.
      const fresh = await login(t, user.email, user.password, user.ip);
      const again = await refresh(t, setCookieOf(fresh)?.value ?? '', user.ip);
      assert.equal(again.status, 200);
      assert.ok(again.body.data?.refreshSession);
    });

    it('two concurrent refreshes with the same token: exactly one wins', async () => {
      for (let round = 0; round < 3; round++) {
        const user = await registerUser(t);
        const results = await Promise.all([
          refresh(t, user.refresh, user.ip),
          refresh(t, user.refresh, user.ip),
          refresh(t, user.refresh, user.ip),
        ]);
        const winners = results.filter((r) => r.body.data?.refreshSession);
        const losers = results.filter((r) => codeOf(r) === 'UNAUTHENTICATED');
        assert.equal(winners.length, 1, `round ${round}: exactly one refresh wins`);
        assert.equal(losers.length, 2);
      }
    });

    it('logout ends the family and clears the cookie; other sessions of the user live on', async () => {
      const user = await registerUser(t);
      const other = setCookieOf(await login(t, user.email, user.password, user.ip))?.value ?? '';
      const out = await t.gql(LOGOUT, {}, withCookie(user.refresh, user.ip));
      assert.equal(out.status, 200);
      assert.equal(out.body.data?.logout, true);
      const cleared = setCookieOf(out)?.raw ?? '';
      assert.match(cleared, /Expires=Thu, 01 Jan 1970/);
      // A browser ignores a __Host- Set-Cookie without Secure and Path=/: the clearing one needs
      // them too, or the cookie stays in the browser after logout.
      assert.match(cleared, /; Secure/);
      assert.match(cleared, /; Path=\/(;|$)/);
      assert.equal(codeOf(await refresh(t, user.refresh, user.ip)), 'UNAUTHENTICATED');
      const stillIn = await refresh(t, other, user.ip);
      assert.equal(stillIn.status, 200);
      assert.ok(stillIn.body.data?.refreshSession, 'the other device stays signed in');
      // Logging out without a session is harmless.
      assert.equal((await t.gql(LOGOUT, {}, fromIp(randomIp()))).body.data?.logout, true);
    });

    it('logoutEverywhere ends every family and every access token of the user', async () => {
      const user = await registerUser(t);
      const second = await login(t, user.email, user.password, user.ip);
      const secondRefresh = setCookieOf(second)?.value ?? '';
      const out = await t.gql(LOGOUT_EVERYWHERE, {}, user.headers);
      assert.equal(out.body.data?.logoutEverywhere, true);
      assert.equal(codeOf(await refresh(t, user.refresh, user.ip)), 'UNAUTHENTICATED');
      assert.equal(codeOf(await refresh(t, secondRefresh, user.ip)), 'UNAUTHENTICATED');
      const old = await t.gql(VIEWER, {}, user.headers);
      assert.equal(old.status, 401);
      assert.equal(codeOf(old), 'UNAUTHENTICATED');
    });
  });
  describe(`absolute lifetime of a refresh family (${store} store)`, () => {
    let redis: Redis | undefined;
    const prefix = `test:abs:${randomBytes(6).toString('hex')}:`;
    /** A store on a clock the test moves (ms), with a 30-day absolute lifetime. */
    const storeAt = (clock: { t: number }, timing: SessionStoreTiming = {}): SessionStore => {
      const options = { absoluteSeconds: 30 * DAY, now: () => clock.t, ...timing };
      if (store === 'memory') return createMemorySessionStore(options);
      redis ??= new Redis(TEST_REDIS_URL ?? '', { maxRetriesPerRequest: 1 });
      return createRedisSessionStore(redis, prefix, options);
    };
    after(async () => {
      if (!redis) return;
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });

    it('a family younger than the limit rotates; its TTL never reaches past the absolute end', async () => {
      const clock = { t: Date.now() };
      const sessions = storeAt(clock);
      const userId = randomUUID();
      let current = tokenHash();
      const created = await sessions.create({
        familyId: randomUUID(),
        userId,
        tokenHash: current,
        ttlSeconds: REFRESH_TTL_SECONDS,
      });
      assert.equal(created.ttlSeconds, REFRESH_TTL_SECONDS, 'a fresh family gets the whole sliding TTL');
      // Used every 6 days (within the 7-day sliding window) up to day 24: every rotation works.
      for (const day of [6, 12, 18, 24]) {
        clock.t += 6 * DAY * 1000;
        const next = tokenHash();
        const result = await sessions.rotate(current, next, REFRESH_TTL_SECONDS);
        assert.equal(result.status, 'rotated', `day ${day}`);
        if (result.status !== 'rotated') return;
        assert.equal(result.userId, userId);
        const expected = Math.min(REFRESH_TTL_SECONDS, (30 - day) * DAY);
        assert.equal(result.ttlSeconds, expected, `day ${day}: min(sliding, remaining absolute)`);
        current = next;
      }
      if (redis) {
        const pttl = await redis.pttl(`${prefix}t:${current}`);
        assert.ok(pttl > 0 && pttl <= 6 * DAY * 1000, `the Redis TTL stops at the absolute end (${pttl} ms)`);
      }
      // A store whose absolute lifetime is shorter than the sliding TTL cuts the first token too.
      const short = storeAt(clock, { absoluteSeconds: 2 * DAY });
      const first = await short.create({
        familyId: randomUUID(),
        userId,
        tokenHash: tokenHash(),
        ttlSeconds: REFRESH_TTL_SECONDS,
      });
      assert.equal(first.ttlSeconds, 2 * DAY);
    });

    it('refuses a family past its absolute lifetime though it was used within the sliding window', async () => {
      const clock = { t: Date.now() };
      const sessions = storeAt(clock);
      const userId = randomUUID();
      let current = tokenHash();
      await sessions.create({
        familyId: randomUUID(),
        userId,
        tokenHash: current,
        ttlSeconds: REFRESH_TTL_SECONDS,
      });
      let rotatedAway = current;
      for (let day = 6; day <= 24; day += 6) {
        clock.t += 6 * DAY * 1000;
        const next = tokenHash();
        assert.equal((await sessions.rotate(current, next, REFRESH_TTL_SECONDS)).status, 'rotated');
        rotatedAway = current;
        current = next;
      }
      // Day 30 and one second: last used 6 days ago (the sliding TTL would allow it), but too old.
      clock.t += (6 * DAY + 1) * 1000;
      assert.deepEqual(await sessions.rotate(current, tokenHash(), REFRESH_TTL_SECONDS), {
        status: 'invalid',
      });
      // The family has ended: nothing of it works any more, and an old token is not "reuse" of it.
      assert.deepEqual(await sessions.rotate(current, tokenHash(), REFRESH_TTL_SECONDS), {
        status: 'invalid',
      });
      assert.deepEqual(await sessions.rotate(rotatedAway, tokenHash(), REFRESH_TTL_SECONDS), {
        status: 'invalid',
      });
      assert.equal(await sessions.revokeUser(userId), 0, 'no live family is left');
    });

    it('over HTTP: refresh works before REFRESH_ABSOLUTE_DAYS and is refused (UNAUTHENTICATED) after', async () => {
      const clock = { t: Date.now() };
      const app = await startApp({
        redis: store === 'redis',
        env: { ...TRUSTING_PROXY, REFRESH_ABSOLUTE_DAYS: '2' },
        now: () => clock.t,
      });
      try {
        const user = await registerUser(app);
        const session = await login(app, user.email, user.password, user.ip);
        const first = setCookieOf(session);
        assert.match(first?.raw ?? '', /; Max-Age=172800(;|$)/, 'the cookie stops at the absolute end');
        // A day later the family is younger than the limit: it rotates, the cookie gets the day left.
        clock.t += DAY * 1000;
        const ok = await refresh(app, first?.value ?? '', user.ip);
        assert.equal(ok.status, 200, ok.text);
        assert.ok(ok.body.data?.refreshSession);
        const second = setCookieOf(ok);
        assert.match(second?.raw ?? '', /; Max-Age=86400(;|$)/);
        // Used a day ago, well within the 7-day sliding window, but past the 2 days: refused.
        clock.t += (DAY + 1) * 1000;
        const late = await refresh(app, second?.value ?? '', user.ip);
        assert.equal(codeOf(late), 'UNAUTHENTICATED');
        assert.equal(late.body.data, null);
        assert.match(setCookieOf(late)?.raw ?? '', /Expires=Thu, 01 Jan 1970/, 'the cookie is cleared');
        // Signing in again starts a new family.
        const again = await login(app, user.email, user.password, user.ip);
        const fresh = await refresh(app, setCookieOf(again)?.value ?? '', user.ip);
        assert.ok(fresh.body.data?.refreshSession, fresh.text);
      } finally {
        await app.stop();
      }
    });
  });
}
