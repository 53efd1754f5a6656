import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { securityEvents } from '../helpers/security-events.js';
import { leaks, raw, startDev } from './http-helpers.js';

// Each classic cross-site request shape a hostile page can send without a CORS preflight
// (a link or <img> GET, an HTML form POST, a fetch with a "simple" content type) must be refused
// before anything runs. The side effect checked is real: `register` would create a user row.
const REGISTER = 'mutation Reg($input: RegisterInput!) { register(input: $input) }';

describe('CSRF: requests a browser sends cross-site without a preflight are refused; GET never runs a mutation', () => {
  let t: TestApp;
  before(async () => {
    t = await startDev();
  });
  after(() => t.stop());

  const newInput = () => ({
    email: `csrf-${randomBytes(5).toString('hex')}@example.com`,
    password: `pw-${randomBytes(10).toString('hex')}`,
    name: 'Csrf Victim',
  });
  const userExists = async (email: string) => {
    await t.app.idle(); // register writes the account after its answer
    const rows = await t.app.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM users WHERE email = $1',
      [email],
    );
    return rows[0]?.n === 1;
  };

  function assertRefused(res: { status: number; text: string }, status: number, message: RegExp) {
    assert.equal(res.status, status, res.text);
    const body = JSON.parse(res.text) as {
      data?: unknown;
      errors: { message: string; extensions: { code: string; reason?: string } }[];
    };
    assert.equal(body.errors.length, 1, res.text);
    assert.equal(body.errors[0]?.extensions.code, 'BAD_USER_INPUT');
    assert.match(body.errors[0]?.message ?? '', message);
    assert.equal(body.data, undefined);
    assert.deepEqual(leaks(res.text), []);
    // Only the CSRF check's refusals carry the reason a client can test for.
    if (/Cross-Site Request Forgery/.test(message.source)) {
      assert.equal(body.errors[0]?.extensions.reason, 'PREFLIGHT_REQUIRED', res.text);
    }
  }

  it('legitimate: a JSON POST runs the mutation', async () => {
    const input = newInput();
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: REGISTER, variables: { input } }),
    });
    assert.equal(res.status, 200, res.text);
    assert.ok(await userExists(input.email));
  });

  it('legitimate: a GET query with the preflight header runs', async () => {
    const res = await raw(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    assert.equal(res.status, 200, res.text);
  });

  it('legitimate: x-apollo-operation-name is a preflight header too; an empty value is none', async () => {
    const url = `${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const named = await raw(url, { headers: { 'x-apollo-operation-name': 'Anything' } });
    assert.equal(named.status, 200, named.text);
    assertRefused(
      await raw(url, { headers: { 'apollo-require-preflight': '' } }),
      400,
      /Cross-Site Request Forgery.*a GET request must carry a non-empty apollo-require-preflight header/,
    );
  });

  it('a GET mutation (link / <img>) is refused 400 as CSRF', async () => {
    const input = newInput();
    const qs = `query=${encodeURIComponent(REGISTER)}&variables=${encodeURIComponent(JSON.stringify({ input }))}`;
    const before = securityEvents(t, 'validation_failure').length;
    const res = await raw(`${t.url}/graphql?${qs}`);
    assertRefused(res, 400, /Cross-Site Request Forgery/);
    assert.equal(await userExists(input.email), false);
    // One decision, one security event, with the reason and no part of the refused request.
    const events = securityEvents(t, 'validation_failure').slice(before);
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0]?.reason, 'PREFLIGHT_REQUIRED');
    assert.equal(events[0]?.status, 400);
    assert.equal(events[0]?.code, 'BAD_USER_INPUT');
    assert.equal(typeof events[0]?.requestId, 'string');
    assert.equal(JSON.stringify(events).includes(input.password), false);
  });

  it('a GET mutation that passes the CSRF check is still refused 405: GET runs queries only', async () => {
    const input = newInput();
    const qs = `query=${encodeURIComponent(REGISTER)}&variables=${encodeURIComponent(JSON.stringify({ input }))}`;
    const res = await raw(`${t.url}/graphql?${qs}`, { headers: { 'apollo-require-preflight': 'true' } });
    assertRefused(res, 405, /GET requests only support query operations/);
    assert.equal(await userExists(input.email), false);
  });

  it('a form-encoded POST (<form method=post>) is refused 400 as CSRF', async () => {
    const input = newInput();
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: REGISTER, variables: JSON.stringify({ input }) }).toString(),
    });
    assertRefused(res, 400, /Cross-Site Request Forgery/);
    assert.equal(await userExists(input.email), false);
  });

  it('a text/plain POST carrying JSON (fetch no-cors / form enctype=text/plain) is refused 400 as CSRF', async () => {
    const input = newInput();
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ query: REGISTER, variables: { input } }),
    });
    assertRefused(res, 400, /Cross-Site Request Forgery/);
    assert.equal(await userExists(input.email), false);
  });

  it('a multipart POST (<form enctype=multipart/form-data>) is refused 400 as CSRF', async () => {
    const input = newInput();
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: REGISTER, variables: { input } }));
    form.append('map', '{}');
    const res = await raw(`${t.url}/graphql`, { method: 'POST', body: form });
    assertRefused(res, 400, /Cross-Site Request Forgery/);
    assert.equal(await userExists(input.email), false);
  });
});
