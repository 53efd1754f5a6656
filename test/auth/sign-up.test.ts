import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createSmtpMailer } from '../../src/auth/smtp-mailer.js';
import { startApp, type TestApp } from '../helpers/app.js';
import type { GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { linkTokenOf, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import {
  insertUser,
  login,
  REFRESH,
  REGISTER,
  setCookieOf,
  VERIFY_EMAIL,
  VIEWER,
  withCookie,
} from '../helpers/users.js';
import { CountingMailer, countingPasswords } from './auth-helpers.js';

// Verified sign-up (issue 13) end to end, with mail delivered to a real SMTP server this suite
// starts: register always answers true; a new address gets a verification link, a taken one a
// notice; verifyEmail signs in like login; an unverified account cannot sign in with its password.

const VERIFY_PAGE = 'http://localhost:3000/verify-email';
const RESET_PAGE = 'http://localhost:3000/reset-password';
const PASSWORD = 'a-long-sign-up-password-1';
const newEmail = () => `su-${randomBytes(5).toString('hex')}@example.com`;
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
/** `register` on an app, from a fresh client address each time (per-network limits stay out of the way). */
const registerOn = (app: TestApp, email: string, password = PASSWORD) =>
  app.gql(REGISTER, { input: { email, password, name: 'New User' } }, fromIp(randomIp()));
type Payload = { accessToken: string; expiresAt: string; user: { id: string; email: string } };

/** What a client can compare between two answers: status, body, and whether a cookie was set. */
const answer = (res: GqlResponse) => ({
  status: res.status,
  data: res.body.data,
  errors: res.body.errors,
  cookie: setCookieOf(res) !== undefined,
});

/** A refused answer, all of it but the cost report (and the errors' source locations). */
const refusal = (res: GqlResponse) => ({
  status: res.status,
  data: res.body.data,
  errors: res.body.errors?.map(({ message, path, extensions }) => ({ message, path, extensions })),
});

describe('verified sign-up over a real SMTP server', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;

  before(async () => {
    smtp = await startSmtpServer();
    t = await startApp({ env: { ...TRUSTING_PROXY, SMTP_URL: smtp.url, MAIL_FROM: 'shop@example.com' } });
  });
  after(async () => {
    await t?.stop();
    await smtp?.close();
  });

  const register = (email: string, password = PASSWORD) => registerOn(t, email, password);
  const verify = (token: string) => t.gql(VERIFY_EMAIL, { token }, fromIp(randomIp()));

  it('register → verification mail → verifyEmail signs in with an access token and the refresh cookie', async () => {
    const email = newEmail();
    const reg = await register(email);
    assert.deepEqual(answer(reg), {
      status: 200,
      data: { register: true },
      errors: undefined,
      cookie: false,
    });

    const mail = await smtp.waitFor(email);
    assert.equal(mail.from, 'shop@example.com');
    assert.equal(mail.subject, 'Confirm your email address');
    const token = linkTokenOf(mail, VERIFY_PAGE);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    assert.ok(
      mail.html.includes(`href="${VERIFY_PAGE}#token=${token}"`),
      'the HTML part links the same page',
    );

    // Only the token's hash is stored, valid for 24 hours.
    const rows = await t.app.db.query<{ tokenHash: string; expiresAt: Date }>(
      `SELECT v.token_hash AS "tokenHash", v.expires_at AS "expiresAt"
         FROM email_verification_tokens v JOIN users u ON u.id = v.user_id WHERE u.email = $1`,
      [email],
    );
    assert.deepEqual(
      rows.map((r) => r.tokenHash),
      [sha256(token)],
    );
    const hours = ((rows[0]?.expiresAt.getTime() ?? 0) - Date.now()) / 3_600_000;
    assert.ok(hours > 23.9 && hours <= 24, `expires in ${hours} h`);

    const res = await verify(token);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.errors, undefined, res.text);
    const payload = res.body.data?.verifyEmail as Payload;
    assert.equal(payload.user.email, email);
    const ttl = (Date.parse(payload.expiresAt) - Date.now()) / 1000;
    assert.ok(ttl > 14 * 60 && ttl <= 15 * 60, 'a 15-minute access token, as login gives');
    const cookie = setCookieOf(res);
    assert.ok(cookie, 'the refresh cookie is set, as by login');
    assert.match(cookie.raw, /HttpOnly/i);
    assert.match(cookie.raw, /Secure/i);
    assert.match(cookie.raw, /SameSite=Strict/i);

    const me = await t.gql(VIEWER, {}, { authorization: `Bearer ${payload.accessToken}` });
    assert.deepEqual(me.body.data?.viewer, { id: payload.user.id, email });
    const refreshed = await t.gql(REFRESH, {}, withCookie(cookie.value, randomIp()));
    assert.equal((refreshed.body.data?.refreshSession as Payload | undefined)?.user.id, payload.user.id);
    assert.ok((await login(t, email, PASSWORD, randomIp())).body.data?.login, 'the password works now');
  });

  it('attack: a used, an expired and a made-up token get one and the same BAD_USER_INPUT answer', async () => {
    const used = newEmail();
    await register(used);
    const usedToken = linkTokenOf(await smtp.waitFor(used), VERIFY_PAGE);
    assert.ok((await verify(usedToken)).body.data?.verifyEmail);

    const expired = newEmail();
    await register(expired);
    const expiredToken = linkTokenOf(await smtp.waitFor(expired), VERIFY_PAGE);
    await t.app.db.query(
      `UPDATE email_verification_tokens SET expires_at = now() - interval '1 second'
        WHERE token_hash = $1`,
      [sha256(expiredToken)],
    );

    const answers = [
      await verify(usedToken),
      await verify(expiredToken),
      await verify(randomBytes(32).toString('base64url')),
    ];
    for (const res of answers) {
      assert.deepEqual(refusal(res), {
        status: 200,
        data: null,
        errors: [
          {
            message: 'Invalid input.',
            path: ['verifyEmail'],
            extensions: { code: 'BAD_USER_INPUT', fieldErrors: { token: 'Invalid or expired token.' } },
          },
        ],
      });
      assert.equal(setCookieOf(res), undefined, 'no cookie');
    }
    // resetPassword answers a bad token the same way.
    const reset = await t.gql(
      'mutation($token: String!) { resetPassword(token: $token, newPassword: "another long password") }',
      { token: randomBytes(32).toString('base64url') },
      fromIp(randomIp()),
    );
    assert.deepEqual(reset.body.errors?.[0]?.extensions, answers[0]?.body.errors?.[0]?.extensions);
    // The expired account stays unverified: its password does not sign in.
    assert.equal(
      (await login(t, expired, PASSWORD, randomIp())).body.errors?.[0]?.extensions?.code,
      'UNAUTHENTICATED',
    );
  });

  it('attack: a taken address gets the same answer as a new one, a notice mail, and no change at all', async () => {
    const owner = await insertUser(t);
    const before = await t.app.db.query('SELECT * FROM users WHERE id = $1', [owner.id]);
    const fresh = await register(newEmail(), 'a-different-password-9');
    const taken = await register(owner.email.toUpperCase(), 'a-different-password-9');
    assert.deepEqual(answer(taken), answer(fresh), 'status, body and cookies are those of a new address');

    const notice = await smtp.waitFor(owner.email);
    assert.equal(notice.subject, 'You already have an account');
    assert.match(notice.text, /you already have an account/i);
    assert.ok(notice.text.includes(RESET_PAGE), 'the notice points to the reset page');
    assert.doesNotMatch(notice.text, /#token=/, 'and carries no credential');

    assert.deepEqual(await t.app.db.query('SELECT * FROM users WHERE id = $1', [owner.id]), before);
    const holders = await t.app.db.query('SELECT id FROM users WHERE lower(email) = lower($1)', [
      owner.email,
    ]);
    assert.equal(holders.length, 1, 'no second account');
    assert.ok(
      (await login(t, owner.email, owner.password, randomIp())).body.data?.login,
      'old password works',
    );
    assert.equal(
      (await login(t, owner.email, 'a-different-password-9', randomIp())).body.errors?.[0]?.extensions?.code,
      'UNAUTHENTICATED',
      'the new password was not set',
    );
  });

  it('attack: login to an unverified account fails exactly like a wrong password, right password or not', async () => {
    const pending = newEmail();
    await register(pending);
    await smtp.waitFor(pending);
    const verified = await insertUser(t);
    const unverifiedRight = await login(t, pending, PASSWORD, randomIp());
    const unverifiedWrong = await login(t, pending, 'not-the-password-at-all', randomIp());
    const wrongPassword = await login(t, verified.email, 'not-the-password-at-all', randomIp());
    for (const res of [unverifiedRight, unverifiedWrong]) {
      assert.deepEqual(refusal(res), refusal(wrongPassword));
      assert.equal(setCookieOf(res), undefined);
    }
    assert.equal(wrongPassword.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal(wrongPassword.body.errors?.[0]?.message, 'Invalid email or password.');
  });

  it('a mail the relay refuses is logged without the token and changes nothing in the answer', async () => {
    smtp.refuse(true);
    try {
      const email = newEmail();
      const reg = await register(email);
      assert.deepEqual(answer(reg), {
        status: 200,
        data: { register: true },
        errors: undefined,
        cookie: false,
      });
      await t.app.idle();
      const failure = t.logs.find((l) => l.msg === 'verification mail failed');
      assert.ok(failure, 'the failure is logged');
      const [row] = await t.app.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
      assert.equal(failure.userId, row?.id);
      // Nothing in the log can be turned into the link: no line holds a 43-character token.
      assert.ok(!t.rawLogs.some((l) => l.includes('#token=')), 'no link in the log');
    } finally {
      smtp.refuse(false);
    }
  });
});

describe('equal work: both paths of register, login and requestPasswordReset', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  const { passwords, counts } = countingPasswords();
  let mailer: CountingMailer;

  before(async () => {
    smtp = await startSmtpServer();
    // The counters sit on the app's own ports (password hashing, mailer); the mail still goes
    // through nodemailer to the real SMTP server.
    mailer = new CountingMailer(createSmtpMailer({ url: smtp.url, from: 'shop@example.com' }));
    t = await startApp({ env: TRUSTING_PROXY, mailer, passwords });
  });
  after(async () => {
    await t?.stop();
    mailer?.close();
    await smtp?.close();
  });

  /** The work one request caused, the work queued after its answer included. */
  async function workOf(send: () => Promise<GqlResponse>) {
    await t.app.idle();
    const start = { ...counts, mails: mailer.total, statements: t.app.db.stats.statements };
    const res = await send();
    await t.app.idle();
    return {
      res,
      work: {
        hash: counts.hash - start.hash,
        verify: counts.verify - start.verify,
        mails: mailer.total - start.mails,
        statements: t.app.db.stats.statements - start.statements,
      },
    };
  }

  it('register: new and taken address hash once, run one statement and queue one mail each', async () => {
    const owner = await insertUser(t);
    const input = (email: string) => ({ input: { email, password: PASSWORD, name: 'N' } });
    const fresh = await workOf(() => t.gql(REGISTER, input(newEmail()), fromIp(randomIp())));
    const taken = await workOf(() => t.gql(REGISTER, input(owner.email), fromIp(randomIp())));
    assert.deepEqual(fresh.work, { hash: 1, verify: 0, mails: 1, statements: 1 });
    assert.deepEqual(taken.work, fresh.work);
    assert.deepEqual(answer(taken.res), answer(fresh.res));
    await smtp.waitFor(owner.email);
  });

  it('login: an existing account (wrong password), a missing one and an unverified one verify once each', async () => {
    const owner = await insertUser(t);
    const pending = newEmail();
    await registerOn(t, pending);
    await t.app.idle();
    const existing = await workOf(() => login(t, owner.email, 'a-wrong-password-000', randomIp()));
    const missing = await workOf(() => login(t, newEmail(), 'a-wrong-password-000', randomIp()));
    const unverified = await workOf(() => login(t, pending, PASSWORD, randomIp()));
    assert.deepEqual(existing.work, { hash: 0, verify: 1, mails: 0, statements: 1 });
    assert.deepEqual(missing.work, existing.work);
    assert.deepEqual(unverified.work, existing.work);
  });

  it('requestPasswordReset: answered before any work that depends on the account; no hashing either way', async () => {
    const owner = await insertUser(t);
    const request = (email: string) =>
      t.gql(
        'mutation($email: String!) { requestPasswordReset(email: $email) }',
        { email },
        fromIp(randomIp()),
      );
    // While the mailer holds every message, both answers still arrive: nothing waits for mail.
    mailer.hold();
    const heldReal = await request(owner.email);
    const heldUnknown = await request(newEmail());
    assert.deepEqual(answer(heldReal), answer(heldUnknown));
    assert.deepEqual(heldReal.body.data, { requestPasswordReset: true });
    mailer.release();

    const real = await workOf(() => request(owner.email));
    const unknown = await workOf(() => request(newEmail()));
    // After the answer: the real account gets its token and mail, the unknown address nothing.
    assert.deepEqual(real.work, { hash: 0, verify: 0, mails: 1, statements: 2 });
    assert.deepEqual(unknown.work, { hash: 0, verify: 0, mails: 0, statements: 1 });
    assert.deepEqual(answer(real.res), answer(unknown.res));
  });

  it('register: the answer does not wait for the mail', async () => {
    mailer.hold();
    try {
      const email = newEmail();
      const res = await registerOn(t, email);
      assert.deepEqual(res.body.data, { register: true });
      assert.equal(smtp.to(email).length, 0, 'the mail is still held');
    } finally {
      mailer.release();
    }
  });
});

describe('sign-up in development without SMTP_URL: the link is in the log', () => {
  it('register, read the verification link from the log, verifyEmail: signed in', async () => {
    const dev = await startApp({
      env: { ...TRUSTING_PROXY, NODE_ENV: 'development', SEED_DEMO_DATA: 'false' },
    });
    try {
      const email = newEmail();
      const reg = await registerOn(dev, email);
      assert.deepEqual(reg.body.data, { register: true });
      await dev.app.idle();
      const line = dev.logs.find((l) => typeof l.verificationLink === 'string');
      assert.ok(line, 'the development log shows the link');
      const token = new URL(String(line.verificationLink)).hash.replace(/^#token=/, '');
      const res = await dev.gql(VERIFY_EMAIL, { token }, fromIp(randomIp()));
      assert.equal((res.body.data?.verifyEmail as Payload | undefined)?.user.email, email, res.text);
    } finally {
      await dev.stop();
    }
  });

  it('outside development (test mode, no SMTP_URL) the link never reaches the log', async () => {
    const test = await startApp({ env: TRUSTING_PROXY });
    try {
      await registerOn(test, newEmail());
      await test.app.idle();
      assert.ok(test.logs.some((l) => l.msg === 'email verification requested, but no mailer is configured'));
      assert.ok(!test.rawLogs.some((l) => l.includes('#token=')));
    } finally {
      await test.stop();
    }
  });
});
