import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MAIL_PER_ADDRESS, MAIL_WINDOW_SECONDS } from '../../src/auth/mail-quota.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/env.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { linkTokenOf, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { login, REGISTER, insertUser } from '../helpers/users.js';

// Pre-authentication operations are limited by the target account too (issue 13): one address gets
// at most MAIL_PER_ADDRESS mails per MAIL_WINDOW_SECONDS, whoever asks from wherever, and the
// answers never show it. Accounts are inserted verified: a sign-up's own verification mail would
// count too. Mail is received by a real SMTP server this suite starts.

const REQUEST = 'mutation($email: String!) { requestPasswordReset(email: $email) }';
const RESET =
  'mutation($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }';
const RESET_PAGE = 'http://localhost:3000/reset-password';
const RESET_SUBJECT = 'Reset your password';
const newEmail = () => `mq-${randomBytes(5).toString('hex')}@example.com`;
const registerInput = (email: string) => ({
  input: { email, password: 'a-long-sign-up-password-1', name: 'Q' },
});

describe('mail quota per target address (real SMTP)', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;

  before(async () => {
    smtp = await startSmtpServer();
    t = await startApp({ env: { ...TRUSTING_PROXY, SMTP_URL: smtp.url } });
  });
  after(async () => {
    await t?.stop();
    await smtp?.close();
  });

  // Every request from a fresh network: the per-network limits stay out of the way, as for an
  // attacker with many addresses.
  const requestReset = (email: string) => t.gql(REQUEST, { email }, fromIp(randomIp()));

  it('the policy: three mails per address per 30 minutes (the reset links outstanding at most)', () => {
    assert.equal(MAIL_PER_ADDRESS, 3);
    assert.equal(MAIL_WINDOW_SECONDS, 30 * 60);
  });

  it('legitimate: a reset request within the quota is mailed', async () => {
    const user = await insertUser(t);
    assert.deepEqual((await requestReset(user.email)).body.data, { requestPasswordReset: true });
    await smtp.waitFor(user.email, { subject: RESET_SUBJECT });
    await t.app.idle();
    assert.equal(smtp.to(user.email, RESET_SUBJECT).length, 1);
  });

  it('attack: eight reset requests from eight networks mail three links, answer alike, and push out no live link', async () => {
    const user = await insertUser(t);
    const other = await insertUser(t);
    const answers = [];
    for (let i = 0; i < 8; i++)
      answers.push(await requestReset(i % 2 ? user.email.toUpperCase() : user.email));
    await t.app.idle();
    // Every answer is the same `true`, status 200, no error: the client cannot see the quota.
    for (const res of answers) {
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, { requestPasswordReset: true });
      assert.equal(res.body.errors, undefined);
    }
    const mails = smtp.to(user.email, RESET_SUBJECT);
    assert.equal(mails.length, MAIL_PER_ADDRESS, 'the address received its quota, not eight mails');
    const events = securityEvents(t, 'limit_hit').filter((e) => e.limit === 'mail_per_address');
    assert.equal(events.length, 8 - MAIL_PER_ADDRESS, 'one limit_hit per suppressed mail');
    for (const e of events) {
      assert.equal(e.operation, 'requestPasswordReset');
      assert.ok(
        !JSON.stringify(e).toLowerCase().includes(user.email.toLowerCase()),
        'no address in the event',
      );
    }
    // The suppressed requests created no token: the first link is still live and works.
    const first = linkTokenOf(mails[0]!, RESET_PAGE);
    const reset = await t.gql(
      RESET,
      { token: first, newPassword: 'after-the-flood-pw-1' },
      fromIp(randomIp()),
    );
    assert.deepEqual(reset.body.data, { resetPassword: true });
    assert.ok((await login(t, user.email, 'after-the-flood-pw-1', randomIp())).body.data?.login);
    // Another address has its own quota.
    await requestReset(other.email);
    await smtp.waitFor(other.email, { subject: RESET_SUBJECT });
  });

  it('attack: registering one address again and again mails it three times in all (verification and notices), every answer true', async () => {
    const email = newEmail();
    for (let i = 0; i < 6; i++) {
      const res = await t.gql(REGISTER, registerInput(email), fromIp(randomIp()));
      assert.deepEqual(res.body.data, { register: true });
      assert.equal(res.body.errors, undefined);
    }
    await t.app.idle();
    assert.equal(smtp.to(email, 'Confirm your email address').length, 1);
    assert.equal(smtp.to(email, 'You already have an account').length, MAIL_PER_ADDRESS - 1);
    assert.equal(smtp.to(email).length, MAIL_PER_ADDRESS);
    // The quota is one per address over every kind of mail: a reset request now sends nothing.
    await requestReset(email);
    await t.app.idle();
    assert.equal(smtp.to(email).length, MAIL_PER_ADDRESS);
  });
});

describe(
  'mail quota shared by two instances on one Redis and one PostgreSQL',
  { skip: !TEST_REDIS_URL || !TEST_DATABASE_URL },
  () => {
    let smtp: TestSmtpServer;
    let a: TestApp;
    let b: TestApp;

    before(async () => {
      smtp = await startSmtpServer();
      a = await startApp({ driver: 'pg', redis: true, env: { ...TRUSTING_PROXY, SMTP_URL: smtp.url } });
      // The second instance: the first one's schema and key prefix (one deployment).
      b = await startApp({
        driver: 'pg',
        keepData: true,
        redis: true,
        env: { ...TRUSTING_PROXY, SMTP_URL: smtp.url, REDIS_PREFIX: a.redisPrefix },
        schema: a.schema,
      });
    });
    after(async () => {
      await b?.stop();
      await a?.stop();
      await smtp?.close();
    });

    it('requests spread over both instances still mail the address three times', async () => {
      const user = await insertUser(a);
      for (let i = 0; i < 6; i++) {
        const app = i % 2 ? b : a;
        const res = await app.gql(REQUEST, { email: user.email }, fromIp(randomIp()));
        assert.deepEqual(res.body.data, { requestPasswordReset: true });
      }
      await Promise.all([a.app.idle(), b.app.idle()]);
      assert.equal(smtp.to(user.email, RESET_SUBJECT).length, MAIL_PER_ADDRESS);
    });
  },
);
