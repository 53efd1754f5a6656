import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { linkTokenOf, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import {
  createApiKey,
  insertUser,
  login,
  refresh,
  REGISTER,
  registerUser,
  VIEWER,
} from '../helpers/users.js';

// Password reset with the mail delivered to a real SMTP server this suite starts.

const REQUEST = 'mutation($email: String!) { requestPasswordReset(email: $email) }';
const RESET =
  'mutation($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }';
const RESET_PAGE = 'http://localhost:3000/reset-password';
const SUBJECT = 'Reset your password';
const tokenOf = (link: string) => new URL(link).hash.replace(/^#token=/, '');
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const MY_ORDERS = '{ myOrders(first: 1) { totalCount } }';

describe('password reset (mail over SMTP)', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;

  before(async () => {
    smtp = await startSmtpServer();
    // Account-wide login delays after 5 failures, on a clock that stands still (no delay runs out).
    const now = Date.now();
    t = await startApp({
      env: { ...TRUSTING_PROXY, SMTP_URL: smtp.url, LOGIN_ACCOUNT_MAX_FAILURES: '5' },
      now: () => now,
    });
  });
  after(async () => {
    await t?.stop();
    await smtp?.close();
  });

  const request = (email: string) => t.gql(REQUEST, { email }, fromIp(randomIp()));
  const reset = (token: string, newPassword: string) =>
    t.gql(RESET, { token, newPassword }, fromIp(randomIp()));
  /** Requests a reset for `email` and returns the token of the link that arrives. */
  async function requestLink(email: string): Promise<string> {
    const since = smtp.to(email, SUBJECT).length;
    await request(email);
    return linkTokenOf(await smtp.waitFor(email, { subject: SUBJECT, since }), RESET_PAGE);
  }
  const badToken = (res: Awaited<ReturnType<typeof reset>>) => {
    assert.equal(codeOf(res), 'BAD_USER_INPUT', res.text);
    assert.equal(
      (res.body.errors?.[0]?.extensions?.fieldErrors as Record<string, string>).token,
      'Invalid or expired token.',
    );
  };

  it('always answers true; only an existing account is mailed a (hashed, 30-minute) link', async () => {
    const user = await registerUser(t);
    const unknown = `nobody-${randomBytes(4).toString('hex')}@example.com`;
    const known = await request(user.email.toUpperCase());
    const none = await request(unknown);
    assert.equal(known.status, 200);
    assert.deepEqual(known.body.data, { requestPasswordReset: true });
    assert.equal(known.body.errors, undefined);
    assert.deepEqual(
      { data: none.body.data, errors: none.body.errors, status: none.status },
      { data: known.body.data, errors: known.body.errors, status: known.status },
      'the same answer whether or not the account exists',
    );
    const mail = await smtp.waitFor(user.email, { subject: SUBJECT });
    await t.app.idle();
    assert.equal(smtp.to(unknown).length, 0, 'nothing is sent to an unknown address');

    const token = linkTokenOf(mail, RESET_PAGE);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(mail.text, /within 30 minutes/);
    const rows = await t.app.db.query<{ tokenHash: string; expiresAt: Date }>(
      'SELECT token_hash AS "tokenHash", expires_at AS "expiresAt" FROM password_reset_tokens WHERE user_id = $1',
      [user.id],
    );
    assert.deepEqual(
      rows.map((r) => r.tokenHash),
      [sha256(token)],
      'only the hash is stored',
    );
    const minutes = ((rows[0]?.expiresAt.getTime() ?? 0) - Date.now()) / 60_000;
    assert.ok(minutes > 29 && minutes <= 30, `expires in ${minutes} min`);
    assert.ok(!t.rawLogs.join('\n').includes(token), 'the token is not logged outside development');
    assert.ok(
      securityEvents(t, 'password_reset').some((e) => e.action === 'requested' && e.userId === user.id),
    );
  });

  it('the reset mail says that every session ends and every API key is revoked', async () => {
    const user = await registerUser(t);
    await requestLink(user.email);
    const [mail] = smtp.to(user.email, SUBJECT);
    assert.match(mail?.text ?? '', /every session ends and every API key of the account is revoked/);
    assert.match(mail?.html ?? '', /every session ends and every API key of the account is revoked/);
  });

  it('resets once and revokes everything the old password opened: sessions, access tokens, API keys', async () => {
    const user = await registerUser(t);
    const key = await createApiKey(t, user, ['ORDERS_READ']);
    assert.equal((await t.gql(MY_ORDERS, {}, key.headers)).status, 200, 'the key works before');
    const token = await requestLink(user.email);
    const newPassword = 'a-brand-new-password-42';

    const res = await reset(token, newPassword);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, { resetPassword: true });
    assert.ok(
      securityEvents(t, 'password_reset').some((e) => e.action === 'completed' && e.userId === user.id),
    );

    assert.equal(codeOf(await login(t, user.email, user.password, user.ip)), 'UNAUTHENTICATED');
    assert.ok((await login(t, user.email, newPassword, user.ip)).body.data?.login);
    assert.equal(codeOf(await refresh(t, user.refresh, user.ip)), 'UNAUTHENTICATED', 'sessions ended');
    assert.equal((await t.gql(VIEWER, {}, user.headers)).status, 401, 'access tokens issued before fail');
    const viaKey = await t.gql(MY_ORDERS, {}, key.headers);
    assert.equal(viaKey.status, 401, 'the API key is revoked');
    assert.equal(codeOf(viaKey), 'UNAUTHENTICATED');

    badToken(await reset(token, 'yet-another-password-43'));
    assert.ok(
      (await login(t, user.email, newPassword, user.ip)).body.data?.login,
      'the reuse changed nothing',
    );
  });

  it('attack: a new request does not cancel an outstanding link; a completed reset uses up every other', async () => {
    // Inserted verified: a sign-up's verification mail would take one of the three mails of the
    // address's half hour (mail-quota.test.ts).
    const user = await insertUser(t);
    const first = await requestLink(user.email);
    const second = await requestLink(user.email);
    const third = await requestLink(user.email);
    assert.equal(new Set([first, second, third]).size, 3);
    // The first link still works after two more requests…
    assert.deepEqual((await reset(first, 'first-link-password-1')).body.data, { resetPassword: true });
    // …and once it is used, the others are refused.
    badToken(await reset(second, 'second-link-password-2'));
    badToken(await reset(third, 'third-link-password-3'));
    assert.ok((await login(t, user.email, 'first-link-password-1', randomIp())).body.data?.login);
  });

  it('keeps at most 3 outstanding links per account, dropping the oldest', async () => {
    const user = await insertUser(t);
    // The oldest link is planted (as from an earlier half hour): three requests are the address's
    // whole mail quota for 30 minutes (mail-quota.test.ts).
    const links = [randomBytes(32).toString('base64url')];
    await t.app.db.query(
      `INSERT INTO password_reset_tokens (user_id, token_hash, expires_at, created_at)
       VALUES ($1, $2, now() + interval '10 minutes', now() - interval '20 minutes')`,
      [user.id, sha256(links[0] ?? '')],
    );
    for (let i = 0; i < 3; i++) links.push(await requestLink(user.email));
    const outstanding = await t.app.db.query<{ tokenHash: string }>(
      'SELECT token_hash AS "tokenHash" FROM password_reset_tokens WHERE user_id = $1 AND used_at IS NULL',
      [user.id],
    );
    assert.deepEqual(outstanding.map((r) => r.tokenHash).sort(), links.slice(1).map(sha256).sort());
    badToken(await reset(links[0] ?? '', 'oldest-link-password-0'));
    assert.deepEqual((await reset(links[1] ?? '', 'second-oldest-password-1')).body.data, {
      resetPassword: true,
    });
  });

  it('refuses a weak or common new password without burning the token', async () => {
    const user = await registerUser(t);
    const token = await requestLink(user.email);
    for (const bad of ['short', 'password1234']) {
      const res = await reset(token, bad);
      assert.equal(codeOf(res), 'BAD_USER_INPUT');
      assert.ok((res.body.errors?.[0]?.extensions?.fieldErrors as Record<string, string>).newPassword);
    }
    assert.deepEqual((await reset(token, 'a-strong-enough-password')).body.data, { resetPassword: true });
  });

  it('refuses an expired token and a made-up one', async () => {
    const user = await registerUser(t);
    const token = await requestLink(user.email);
    await t.app.db.query(
      "UPDATE password_reset_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1",
      [user.id],
    );
    badToken(await reset(token, 'another-good-password-7'));
    badToken(await reset('A'.repeat(43), 'another-good-password-7'));
    assert.ok((await login(t, user.email, user.password, user.ip)).body.data?.login, 'password unchanged');
  });

  it('a reset lifts the account-wide login delay that password guessers caused', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 5; i++) await login(t, user.email, 'wrong-password-guess', randomIp());
    assert.equal(codeOf(await login(t, user.email, user.password, randomIp())), 'RATE_LIMITED');
    const token = await requestLink(user.email);
    const newPassword = 'recovered-password-2026';
    assert.deepEqual((await reset(token, newPassword)).body.data, { resetPassword: true });
    assert.ok((await login(t, user.email, newPassword, randomIp())).body.data?.login);
  });

  it('attack: an address signed up by someone else (never verified) is taken back by a reset', async () => {
    // The squatter registers the victim's address with a password of their own and never verifies.
    const email = `victim-${randomBytes(4).toString('hex')}@example.com`;
    await t.gql(
      REGISTER,
      { input: { email, password: 'squatter-password-1', name: 'S' } },
      fromIp(randomIp()),
    );
    // The victim's own sign-up gets the notice; the reset link in the mailbox verifies the address.
    await t.gql(
      REGISTER,
      { input: { email, password: 'victim-password-123', name: 'V' } },
      fromIp(randomIp()),
    );
    await smtp.waitFor(email, { subject: 'You already have an account' });
    const token = await requestLink(email);
    assert.deepEqual((await reset(token, 'victim-password-123')).body.data, { resetPassword: true });
    assert.ok((await login(t, email, 'victim-password-123', randomIp())).body.data?.login);
    assert.equal(codeOf(await login(t, email, 'squatter-password-1', randomIp())), 'UNAUTHENTICATED');
    // The squatter's verification link (mailed to the victim) is used up too.
    const verification = await smtp.waitFor(email, { subject: 'Confirm your email address' });
    const verify = await t.gql(
      'mutation($token: String!) { verifyEmail(token: $token) { accessToken } }',
      { token: linkTokenOf(verification, 'http://localhost:3000/verify-email') },
      fromIp(randomIp()),
    );
    assert.equal(codeOf(verify), 'BAD_USER_INPUT');
  });
});

describe('the development mailer', () => {
  it('logs the reset link in development only', async () => {
    const dev = await startApp({
      env: { ...TRUSTING_PROXY, NODE_ENV: 'development', SEED_DEMO_DATA: 'false' },
    });
    try {
      const user = await registerUser(dev);
      await dev.gql(REQUEST, { email: user.email }, fromIp(randomIp()));
      await dev.app.idle();
      const line = dev.logs.find((l) => typeof l.resetLink === 'string');
      assert.ok(line, 'the development log shows the link');
      const res = await dev.gql(
        RESET,
        { token: tokenOf(String(line.resetLink)), newPassword: 'dev-flow-password-123' },
        fromIp(randomIp()),
      );
      assert.deepEqual(res.body.data, { resetPassword: true });
    } finally {
      await dev.stop();
    }
    const test = await startApp({ env: TRUSTING_PROXY });
    try {
      const user = await registerUser(test);
      await test.gql(REQUEST, { email: user.email }, fromIp(randomIp()));
      await test.app.idle();
      assert.ok(test.logs.some((l) => l.msg === 'password reset requested, but no mailer is configured'));
      assert.ok(!test.logs.some((l) => 'resetLink' in l), 'no link outside development');
    } finally {
      await test.stop();
    }
  });
});
