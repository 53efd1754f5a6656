import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createCredentialsRepository } from '../../src/modules/identity/credentials.repository.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { codeOf, type GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { login, registerUser, setCookieOf, type Session } from '../helpers/users.js';
import { CapturingMailer } from './auth-helpers.js';

// Issue 19: these tests fail if the e-mail lookup behind login and requestPasswordReset ever
// builds its SQL from the string instead of binding it as a parameter. LoginInput and
// requestPasswordReset only cap the length (254), they do not require a valid address, so every
// payload below reaches the repository.

const REQUEST_RESET = 'mutation($email: String!) { requestPasswordReset(email: $email) }';

/**
 * `x' UNION SELECT` payloads that, if concatenated into the query, return the victim's row with
 * the attacker's own password hash: the attacker's password would then sign them in as the
 * victim. The hash is read by a subquery because login lower-cases the e-mail (an argon2 PHC
 * literal would not survive that). Each shape is sent with and without the `)` that closes the
 * `lower(` around the value, so the payload works against either way of writing the concatenation.
 */
function unionPayloads(victimId: string, attackerEmail: string): string[] {
  const select =
    ` union select id, email, name, role, created_at,` +
    ` (select password_hash from users where email = '${attackerEmail}'), token_version` +
    ` from users where id = '${victimId}' --`;
  return [`x')${select}`, `x'${select}`];
}

/** Payloads that, concatenated, would match every row (or break the statement: a 500). */
const TAUTOLOGIES = [
  `' or '1'='1`,
  `x') or ('1'='1`,
  `x') or true --`,
  `x' or '1'='1' --`,
  `'; select pg_sleep(0) --`,
];

/** Login refused exactly as for an unknown account: UNAUTHENTICATED, no token, no refresh cookie. */
function assertRefusedLogin(res: GqlResponse, payload: string): void {
  assert.equal(res.body.data?.login ?? null, null, `${payload}: signed in: ${res.text}`);
  assert.equal(res.status, 200, `${payload}: ${res.text}`);
  assert.equal(codeOf(res), 'UNAUTHENTICATED', `${payload}: ${res.text}`);
  assert.equal(setCookieOf(res), undefined, `${payload}: no refresh cookie`);
}

describe('SQL in the login / password-reset e-mail is data, never SQL', () => {
  let t: TestApp;
  const mailer = new CapturingMailer();
  let victim: Session;
  let attacker: Session;

  before(async () => {
    t = await startApp({ env: TRUSTING_PROXY, mailer });
    // The victim registers first, so a "match every row" query would return the victim first.
    victim = await registerUser(t);
    attacker = await registerUser(t);
  });
  after(() => t?.stop());

  it('login with a UNION SELECT (victim row + attacker hash) or a tautology answers UNAUTHENTICATED', async () => {
    for (const payload of [...unionPayloads(victim.id, attacker.email), ...TAUTOLOGIES]) {
      // A fresh client address each time: the per-IP limits are not what is tested here.
      const res = await login(t, payload, attacker.password, randomIp());
      assertRefusedLogin(res, payload);
    }
    // The attacker's own credentials still work, and still only for the attacker.
    const own = await login(t, attacker.email, attacker.password, randomIp());
    assert.equal(own.status, 200, own.text);
    assert.equal((own.body.data?.login as { user: { id: string } }).user.id, attacker.id);
  });

  it('requestPasswordReset with the same payloads answers true and mails nobody', async () => {
    const sent = mailer.messages.length;
    for (const payload of [...unionPayloads(victim.id, attacker.email), ...TAUTOLOGIES]) {
      const res = await t.gql(REQUEST_RESET, { email: payload }, fromIp(randomIp()));
      assert.equal(res.status, 200, `${payload}: ${res.text}`);
      assert.equal(res.body.errors, undefined, `${payload}: ${res.text}`);
      assert.deepEqual(res.body.data, { requestPasswordReset: true }, `${payload}: ${res.text}`);
    }
    // The lookup runs after the answer: wait for it before counting.
    await t.app.idle();
    assert.deepEqual(mailer.messages.slice(sent), [], 'no reset token was issued for any payload');
    const tokens = await t.app.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM password_reset_tokens WHERE user_id = ANY($1::uuid[])',
      [[victim.id, attacker.id]],
    );
    assert.equal(tokens[0]?.n, 0);
  });

  it("a real address with an apostrophe (o'brien@…) logs in and gets its own reset mail", async () => {
    // The quote is valid in an address: the legitimate user must not get a 500 either.
    const email = `o'brien-${randomBytes(4).toString('hex')}@example.com`;
    // Signed up through the real API (register, then verifyEmail).
    const { id, password, ip } = await registerUser(t, { email });
    const res = await login(t, email, password, ip);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body.data?.login as { user: { id: string } } | undefined)?.user.id, id, res.text);
    const reset = await t.gql(REQUEST_RESET, { email }, fromIp(randomIp()));
    assert.equal(reset.body.errors, undefined, reset.text);
    assert.deepEqual(reset.body.data, { requestPasswordReset: true }, reset.text);
    await t.app.idle();
    assert.equal(mailer.lastTo(email)?.userId, id);
  });

  it('the repository lookup returns null for every payload, and only the exact row otherwise', async () => {
    // One layer down: the same guarantee without GraphQL, throttles or mail in between.
    const users = createCredentialsRepository(t.app.db);
    for (const payload of [...unionPayloads(victim.id, attacker.email), ...TAUTOLOGIES]) {
      assert.equal(await users.findCredentialsByEmail(payload), null, payload);
    }
    const row = await users.findCredentialsByEmail(attacker.email.toUpperCase());
    assert.equal(row?.id, attacker.id);
  });
});
