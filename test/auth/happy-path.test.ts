import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { linkTokenOf, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import {
  LOGIN,
  LOGOUT,
  REFRESH,
  REGISTER,
  setCookieOf,
  VERIFY_EMAIL,
  VIEWER,
  withCookie,
} from '../helpers/users.js';

type Payload = { accessToken: string; expiresAt: string; user: { id: string; email: string } };

describe('identity happy path over real HTTP', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer();
    t = await startApp({ env: { ...TRUSTING_PROXY, SMTP_URL: smtp.url } });
  });
  after(async () => {
    await t?.stop();
    await smtp?.close();
  });

  it('register → verify by mail → login → viewer → refresh through the cookie → logout → API key use', async () => {
    const ip = randomIp();
    const email = `Happy-${randomBytes(4).toString('hex')}@Example.com`;
    const password = 'a-long-happy-password-1';

    // register: true, and a verification link by mail.
    const reg = await t.gql(REGISTER, { input: { email, password, name: ' Happy ' } }, fromIp(ip));
    assert.equal(reg.status, 200, reg.text);
    assert.deepEqual(reg.body.data, { register: true });
    const mail = await smtp.waitFor(email);
    // verifyEmail: an access token (15 min) and the refresh cookie.
    const verified = await t.gql(
      VERIFY_EMAIL,
      { token: linkTokenOf(mail, 'http://localhost:3000/verify-email') },
      fromIp(ip),
    );
    assert.equal(verified.status, 200, verified.text);
    const registered = verified.body.data?.verifyEmail as Payload;
    assert.equal(registered.user.email, email.toLowerCase());
    const ttl = (Date.parse(registered.expiresAt) - Date.now()) / 1000;
    assert.ok(ttl > 14 * 60 && ttl <= 15 * 60);
    assert.ok(setCookieOf(verified));

    // register refuses a common password; a taken email (case-insensitively) is answered true and
    // its owner gets a notice instead.
    const common = await t.gql(
      REGISTER,
      { input: { email: `c-${email}`, password: 'password1234', name: 'C' } },
      fromIp(randomIp()),
    );
    assert.equal(codeOf(common), 'BAD_USER_INPUT');
    const taken = await t.gql(
      REGISTER,
      { input: { email: email.toUpperCase(), password, name: 'T' } },
      fromIp(randomIp()),
    );
    assert.deepEqual(taken.body.data, { register: true });
    assert.equal(
      (await smtp.waitFor(email, { subject: 'You already have an account' })).to[0],
      email.toLowerCase(),
    );

    // login: same answer for a wrong password and an unknown account.
    const wrong = await t.gql(LOGIN, { input: { email, password: 'not-the-password' } }, fromIp(ip));
    const nobody = await t.gql(LOGIN, { input: { email: 'nobody@example.com', password } }, fromIp(ip));
    assert.equal(codeOf(wrong), 'UNAUTHENTICATED');
    assert.deepEqual(nobody.body.errors?.[0]?.message, wrong.body.errors?.[0]?.message);
    const logged = await t.gql(LOGIN, { input: { email: email.toLowerCase(), password } }, fromIp(ip));
    assert.equal(logged.status, 200, logged.text);
    const session = logged.body.data?.login as Payload;
    const cookie = setCookieOf(logged)?.value ?? '';
    assert.equal(session.user.id, registered.user.id);

    // viewer.
    const auth = { authorization: `Bearer ${session.accessToken}`, ...fromIp(ip) };
    const viewer = await t.gql(VIEWER, {}, auth);
    assert.deepEqual(viewer.body.data?.viewer, { id: registered.user.id, email: email.toLowerCase() });

    // refresh through the cookie.
    const refreshed = await t.gql(REFRESH, {}, withCookie(cookie, ip));
    assert.equal(refreshed.status, 200, refreshed.text);
    const fresh = refreshed.body.data?.refreshSession as { accessToken: string; user: { id: string } };
    assert.equal(fresh.user.id, registered.user.id);
    const rotated = setCookieOf(refreshed)?.value ?? '';
    assert.ok(rotated && rotated !== cookie);
    const again = await t.gql(VIEWER, {}, { authorization: `Bearer ${fresh.accessToken}` });
    assert.equal((again.body.data?.viewer as { id: string }).id, registered.user.id);

    // logout: the cookie's family ends.
    const out = await t.gql(LOGOUT, {}, withCookie(rotated, ip));
    assert.equal(out.body.data?.logout, true);
    assert.equal(codeOf(await t.gql(REFRESH, {}, withCookie(rotated, ip))), 'UNAUTHENTICATED');

    // API key: created with the secret shown once, used with X-API-Key within its scopes.
    const created = await t.gql(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id prefix scopes } } }',
      { input: { name: 'ci', scopes: ['ORDERS_READ'] } },
      { authorization: `Bearer ${fresh.accessToken}` },
    );
    assert.equal(created.status, 200, created.text);
    const { secret, apiKey } = created.body.data?.createApiKey as {
      secret: string;
      apiKey: { id: string; prefix: string; scopes: string[] };
    };
    assert.match(secret, /^sgk_[0-9A-Za-z]{43}$/);
    assert.ok(secret.startsWith(apiKey.prefix));
    const viaKey = await t.gql('{ myOrders(first: 5) { totalCount } }', {}, { 'x-api-key': secret });
    assert.equal(viaKey.status, 200, viaKey.text);
    assert.deepEqual(viaKey.body.data?.myOrders, { totalCount: 0 });
    // …and only within its scopes: account management is closed to keys.
    const outOfScope = await t.gql('{ apiKeys { id } }', {}, { 'x-api-key': secret });
    assert.equal(outOfScope.status, 200);
    assert.equal(codeOf(outOfScope), 'FORBIDDEN', outOfScope.text);
  });
});
