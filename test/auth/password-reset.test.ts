import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { login, refresh, registerUser, VIEWER } from '../helpers/users.js';
import { CapturingMailer } from './auth-helpers.js';

const REQUEST = 'mutation($email: String!) { requestPasswordReset(email: $email) }';
const RESET =
  'mutation($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }';
const tokenOf = (link: string) => new URL(link).hash.replace(/^#token=/, '');

describe('password reset', () => {
  let t: TestApp;
  const mailer = new CapturingMailer();

  before(async () => {
    // Account-wide login delays after 5 failures, on a clock that stands still (no delay runs out).
    const now = Date.now();
    t = await startApp({
      env: { ...TRUSTING_PROXY, LOGIN_ACCOUNT_MAX_FAILURES: '5' },
      mailer,
      now: () => now,
    });
  });
  after(() => t?.stop());

  it('always answers true; only an existing account gets a (hashed, 30-minute) token by mail', async () => {
    const user = await registerUser(t);
    const known = await t.gql(REQUEST, { email: user.email.toUpperCase() }, fromIp(randomIp()));
    const unknown = await t.gql(REQUEST, { email: 'nobody-here@example.com' }, fromIp(randomIp()));
    assert.equal(known.status, 200);
    assert.deepEqual(known.body.data, { requestPasswordReset: true });
    assert.equal(known.body.errors, undefined);
    assert.deepEqual(
      { data: unknown.body.data, errors: unknown.body.errors, status: unknown.status },
      { data: known.body.data, errors: known.body.errors, status: known.status },
      'the same answer whether or not the account exists',
    );
    assert.equal(mailer.messages.filter((m) => m.to === 'nobody-here@example.com').length, 0);
    const message = mailer.lastTo(user.email);
    assert.ok(message, 'the mailer got the reset message');
    assert.equal(message.userId, user.id);
    assert.match(message.link, /^http:\/\/localhost:3000\/reset-password#token=[A-Za-z0-9_-]{43}$/);
    const minutes = (message.expiresAt.getTime() - Date.now()) / 60_000;
    assert.ok(minutes > 29 && minutes <= 30, `expires in ${minutes} min`);
    const rows = await t.app.db.query<{ tokenHash: string }>(
      'SELECT token_hash AS "tokenHash" FROM password_reset_tokens WHERE user_id = $1',
      [user.id],
    );
    assert.deepEqual(
      rows.map((r) => r.tokenHash),
      [createHash('sha256').update(message.token).digest('hex')],
      'only the hash is stored',
    );
    assert.ok(!t.rawLogs.join('\n').includes(message.token), 'the token is not logged outside development');
  });

  it('resets once: new password works, old one, old sessions and old access tokens do not; reuse fails', async () => {
    const user = await registerUser(t);
    await t.gql(REQUEST, { email: user.email }, fromIp(randomIp()));
    const token = tokenOf(mailer.lastTo(user.email)?.link ?? '');
    const newPassword = 'a-brand-new-password-42';

    const res = await t.gql(RESET, { token, newPassword }, fromIp(randomIp()));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data, { resetPassword: true });
    assert.ok(
      securityEvents(t, 'password_reset').some((e) => e.action === 'completed' && e.userId === user.id),
    );

    assert.equal(codeOf(await login(t, user.email, user.password, user.ip)), 'UNAUTHENTICATED');
    assert.ok((await login(t, user.email, newPassword, user.ip)).body.data?.login);
    assert.equal(codeOf(await refresh(t, user.refresh, user.ip)), 'UNAUTHENTICATED', 'sessions ended');
    const old = await t.gql(VIEWER, {}, user.headers);
    assert.equal(old.status, 401, 'access tokens issued before the reset fail');

    const reuse = await t.gql(RESET, { token, newPassword: 'yet-another-password-43' }, fromIp(randomIp()));
    assert.equal(codeOf(reuse), 'BAD_USER_INPUT');
    assert.equal(
      (reuse.body.errors?.[0]?.extensions?.fieldErrors as Record<string, string>).token,
      'Invalid or expired token.',
    );
    assert.ok(
      (await login(t, user.email, newPassword, user.ip)).body.data?.login,
      'the reuse changed nothing',
    );
  });

  it('refuses a weak or common new password without burning the token', async () => {
    const user = await registerUser(t);
    await t.gql(REQUEST, { email: user.email }, fromIp(randomIp()));
    const token = tokenOf(mailer.lastTo(user.email)?.link ?? '');
    for (const bad of ['short', 'password1234']) {
      const res = await t.gql(RESET, { token, newPassword: bad }, fromIp(randomIp()));
      assert.equal(codeOf(res), 'BAD_USER_INPUT');
      assert.ok((res.body.errors?.[0]?.extensions?.fieldErrors as Record<string, string>).newPassword);
    }
    const ok = await t.gql(RESET, { token, newPassword: 'a-strong-enough-password' }, fromIp(randomIp()));
    assert.deepEqual(ok.body.data, { resetPassword: true });
  });

  it('refuses an expired token, a superseded token and a made-up one', async () => {
    const user = await registerUser(t);
    await t.gql(REQUEST, { email: user.email }, fromIp(randomIp()));
    const first = tokenOf(mailer.lastTo(user.email)?.link ?? '');
    await t.gql(REQUEST, { email: user.email }, fromIp(randomIp()));
    const second = tokenOf(mailer.lastTo(user.email)?.link ?? '');
    assert.notEqual(first, second);
    const newPassword = 'another-good-password-7';
    assert.equal(
      codeOf(await t.gql(RESET, { token: first, newPassword }, fromIp(randomIp()))),
      'BAD_USER_INPUT',
    );
    await t.app.db.query(
      "UPDATE password_reset_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1",
      [user.id],
    );
    assert.equal(
      codeOf(await t.gql(RESET, { token: second, newPassword }, fromIp(randomIp()))),
      'BAD_USER_INPUT',
    );
    assert.equal(
      codeOf(await t.gql(RESET, { token: 'A'.repeat(43), newPassword }, fromIp(randomIp()))),
      'BAD_USER_INPUT',
    );
    assert.ok((await login(t, user.email, user.password, user.ip)).body.data?.login, 'password unchanged');
  });

  it('a reset lifts the account-wide login delay that password guessers caused', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 5; i++) await login(t, user.email, 'wrong-password-guess', randomIp());
    assert.equal(codeOf(await login(t, user.email, user.password, randomIp())), 'RATE_LIMITED');
    await t.gql(REQUEST, { email: user.email }, fromIp(randomIp()));
    const token = tokenOf(mailer.lastTo(user.email)?.link ?? '');
    const newPassword = 'recovered-password-2026';
    assert.deepEqual((await t.gql(RESET, { token, newPassword }, fromIp(randomIp()))).body.data, {
      resetPassword: true,
    });
    assert.ok((await login(t, user.email, newPassword, randomIp())).body.data?.login);
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
      assert.ok(test.logs.some((l) => l.msg === 'password reset requested, but no mailer is configured'));
      assert.ok(!test.logs.some((l) => 'resetLink' in l), 'no link outside development');
    } finally {
      await test.stop();
    }
  });
});
