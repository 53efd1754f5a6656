import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app.js';
import { assertRefused, codeOf, type GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import {
  LOGOUT,
  REFRESH,
  registerUser,
  setCookieOf,
  VIEWER,
  withCookie,
  type Session,
} from '../helpers/users.js';
import { signHs256 } from './auth-helpers.js';

// docs/api.md: "refreshSession needs only the cookie (a stale bearer header beside it is ignored)".
// A browser app holds an expired access token when it refreshes; the same goes for logging out.
// Real PostgreSQL and Redis (sessions and limits), real HTTP.

type Payload = { accessToken: string; expiresAt: string; user: { id: string } };

describe('refreshSession and logout ignore a stale bearer header; every other operation still gets 401', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ driver: 'pg', redis: true, env: { ...TRUSTING_PROXY } });
  });
  after(async () => {
    await t?.stop();
  });

  /** An access token of `userId` as we sign them (iss, aud, jti, ver), expired an hour ago. */
  const expiredToken = (userId: string) => {
    const now = Math.floor(Date.now() / 1000);
    return signHs256(TEST_JWT_SECRET, {
      sub: userId,
      jti: randomUUID(),
      ver: 0,
      iss: t.app.config.jwt.issuer,
      aud: t.app.config.jwt.audience,
      iat: now - 4500,
      nbf: now - 4500,
      exp: now - 3600,
    });
  };

  /** The stale bearers a client may hold: expired, made up with three segments, plain garbage. */
  const staleBearers = async (user: Session): Promise<[string, string][]> => [
    ['expired', `Bearer ${await expiredToken(user.id)}`],
    ['made-up token', 'Bearer aaaa.bbbb.cccc'],
    ['garbage', 'Bearer garbage'],
  ];

  const refreshWith = (user: Session, cookie: string, authorization: string) =>
    t.gql(REFRESH, {}, { ...withCookie(cookie, user.ip), authorization });

  function newSession(res: GqlResponse): { payload: Payload; cookie: string } {
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.errors, undefined, res.text);
    const payload = res.body.data?.refreshSession as Payload;
    const cookie = setCookieOf(res)?.value;
    assert.ok(payload?.accessToken, res.text);
    assert.ok(cookie, 'a rotated refresh cookie');
    return { payload, cookie };
  }

  it('the expired token itself is refused where it is used (control)', async () => {
    const user = await registerUser(t);
    const res = await t.gql(
      VIEWER,
      {},
      { authorization: `Bearer ${await expiredToken(user.id)}`, ...fromIp(user.ip) },
    );
    assertRefused(res, 'UNAUTHENTICATED', 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  });

  it('refreshSession with the refresh cookie and a stale bearer: 200, a new token that works, a rotated cookie', async () => {
    const user = await registerUser(t);
    let cookie = user.refresh;
    for (const [name, authorization] of await staleBearers(user)) {
      const fresh = newSession(await refreshWith(user, cookie, authorization));
      assert.equal(fresh.payload.user.id, user.id, name);
      assert.notEqual(fresh.cookie, cookie, `${name}: rotated`);
      cookie = fresh.cookie;
      const viewer = await t.gql(
        VIEWER,
        {},
        { authorization: `Bearer ${fresh.payload.accessToken}`, ...fromIp(user.ip) },
      );
      assert.equal(viewer.status, 200, viewer.text);
      assert.equal(
        (viewer.body.data?.viewer as { id: string }).id,
        user.id,
        `${name}: the new token is the user's`,
      );
    }
  });

  it('the same stale bearers on any other operation are still a 401 UNAUTHENTICATED for the whole request', async () => {
    const user = await registerUser(t);
    const before = securityEvents(t, 'auth_failure').length;
    const bearers = await staleBearers(user);
    for (const [name, authorization] of bearers) {
      const headers = { ...withCookie(user.refresh, user.ip), authorization };
      for (const query of [
        VIEWER,
        'mutation { logoutEverywhere }',
        // refreshSession beside another field, or chosen out of a document by operationName
        'mutation { refreshSession { accessToken } logoutEverywhere }',
      ]) {
        const res = await t.gql(query, {}, headers);
        assertRefused(res, 'UNAUTHENTICATED', 401);
        assert.equal(res.body.data, undefined, `${name}: ${query}`);
      }
      const chosen = await t.post(
        {
          query: 'mutation R { refreshSession { accessToken } } query V { viewer { id } }',
          operationName: 'V',
        },
        headers,
      );
      assertRefused(chosen, 'UNAUTHENTICATED', 401);
    }
    assert.ok(securityEvents(t, 'auth_failure').length >= before + bearers.length * 4, 'each 401 is logged');
    // The cookie was never used by those refusals: it still refreshes.
    newSession(await t.gql(REFRESH, {}, withCookie(user.refresh, user.ip)));
  });

  it('an oversized Authorization header or a bad API key is refused even beside refreshSession', async () => {
    const user = await registerUser(t);
    const oversized = await refreshWith(user, user.refresh, `Bearer ${'a'.repeat(5000)}.b.c`);
    assertRefused(oversized, 'UNAUTHENTICATED', 401);
    const badKey = await t.gql(
      REFRESH,
      {},
      { ...withCookie(user.refresh, user.ip), 'x-api-key': 'sgql_made_up' },
    );
    assertRefused(badKey, 'UNAUTHENTICATED', 401);
  });

  it('the bearer is ignored, not trusted: without a valid cookie, refreshSession answers UNAUTHENTICATED in GraphQL', async () => {
    const user = await registerUser(t);
    const res = await t.gql(REFRESH, {}, { authorization: 'Bearer aaaa.bbbb.cccc', ...fromIp(randomIp()) });
    assert.equal(res.status, 200, res.text);
    assert.equal(codeOf(res), 'UNAUTHENTICATED');
    assert.equal(res.body.data, null);
    // A valid cookie of another session is still that session's, whatever the bearer says.
    const other = await registerUser(t);
    const fresh = newSession(
      await refreshWith(other, other.refresh, `Bearer ${await expiredToken(user.id)}`),
    );
    assert.equal(fresh.payload.user.id, other.id);
  });

  it('logout with the refresh cookie and a stale bearer ends the session and clears the cookie', async () => {
    const user = await registerUser(t);
    const res = await t.gql(
      LOGOUT,
      {},
      { ...withCookie(user.refresh, user.ip), authorization: 'Bearer garbage' },
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.data, { logout: true });
    const cleared = setCookieOf(res);
    assert.ok(cleared && /Expires=Thu, 01 Jan 1970/i.test(cleared.raw), `cleared: ${cleared?.raw}`);
    // The session family is gone: its cookie no longer refreshes.
    const again = await t.gql(REFRESH, {}, withCookie(user.refresh, user.ip));
    assert.equal(codeOf(again), 'UNAUTHENTICATED', again.text);
  });
});
