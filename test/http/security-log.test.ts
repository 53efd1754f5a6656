import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { registerUser } from '../helpers/users.js';
import { MAX_LOGGED_STRING } from '../../src/audit/audit.js';
import { raw, startDev } from './http-helpers.js';

describe('security audit log: one structured securityEvent per refused request', () => {
  let t: TestApp;
  before(async () => {
    t = await startDev();
  });
  after(() => t.stop());

  async function send(body: unknown, headers: Record<string, string> = {}) {
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const requestId = res.headers.get('x-request-id') ?? '';
    // Log lines are written synchronously before the response ends; give the sink one tick.
    await new Promise((r) => setImmediate(r));
    return { res, requestId, events: t.logs.filter((l) => l.requestId === requestId && l.security === true) };
  }

  it('legitimate: a good request leaves no security event', async () => {
    const { res, events } = await send({ query: 'query Fine { products(first: 1) { totalCount } }' });
    assert.equal(res.status, 200);
    assert.deepEqual(events, []);
  });

  it('a parse failure → validation_failure with request id, ip, viewer, operation name', async () => {
    const { res, requestId, events } = await send({
      query: 'query Broken { products(',
      operationName: 'Broken',
    });
    assert.equal(res.status, 400);
    assert.equal(events.length, 1, JSON.stringify(events));
    const e = events[0] ?? {};
    assert.equal(e.event, 'validation_failure');
    assert.equal(e.code, 'GRAPHQL_PARSE_FAILED');
    assert.equal(e.requestId, requestId);
    assert.match(String(e.ip), /127\.0\.0\.1/);
    assert.equal(e.viewer, 'anonymous');
    assert.equal(e.operationName, 'Broken');
  });

  it('a validation failure names the signed-in viewer (by id only)', async () => {
    const user = await registerUser(t);
    const { res, events } = await send({ query: 'query Probe { viewer { passwordHash } }' }, user.headers);
    assert.equal(res.status, 400);
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0]?.event, 'validation_failure');
    assert.equal(events[0]?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(events[0]?.viewer, `user:${user.id}`);
    assert.equal(events[0]?.operationName, 'Probe');
  });

  it('a failed login → auth_failure', async () => {
    const { res, events } = await send({
      query: 'mutation SignIn($i: LoginInput!) { login(input: $i) { accessToken } }',
      variables: { i: { email: 'nobody@example.com', password: 'not-the-password-123' } },
    });
    assert.equal(res.status, 200);
    assert.ok(
      events.some((e) => e.event === 'auth_failure' && e.operationName === 'SignIn'),
      JSON.stringify(events),
    );
  });

  it('a bad credential (401 before GraphQL) → auth_failure with the reason, never the credential', async () => {
    const { res, events } = await send({ query: '{ __typename }' }, { authorization: 'Bearer not.a.jwt' });
    assert.equal(res.status, 401);
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0]?.event, 'auth_failure');
    assert.equal(events[0]?.reason, 'invalid_token');
    assert.doesNotMatch(JSON.stringify(events), /not\.a\.jwt/);
  });

  it('a wrong variable type → validation_failure', async () => {
    const { res, events } = await send({
      query: 'query Page($n: Int!) { products(first: $n) { totalCount } }',
      variables: { n: 'ten' },
    });
    assert.equal(res.status, 400);
    assert.ok(
      events.some((e) => e.event === 'validation_failure'),
      JSON.stringify(events),
    );
  });

  it('malformed JSON (refused by the HTTP layer) → validation_failure', async () => {
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"q',
    });
    const id = res.headers.get('x-request-id');
    assert.equal(res.status, 400);
    assert.ok(t.logs.some((l) => l.requestId === id && l.event === 'validation_failure'));
  });

  it('client text in an event is cut to MAX_LOGGED_STRING: a 20 KB alias in an error path', async () => {
    const alias = `a${'x'.repeat(20_000)}`;
    const { res, events } = await send({
      query: `query Long { ${alias}: myOrders(first: 1) { totalCount } }`,
    });
    assert.equal(res.status, 200);
    assert.match(res.text, /"UNAUTHENTICATED"/);
    assert.equal(events.length, 1, 'one event for the refused field');
    const line = JSON.stringify(events[0]);
    assert.ok(line.length < 2 * MAX_LOGGED_STRING + 500, `${line.length} characters logged`);
    assert.match(line, /…\(20001 chars\)/);
  });

  it('legitimate: a short path is logged as it is', async () => {
    const { events } = await send({ query: 'query Short { mine: myOrders(first: 1) { totalCount } }' });
    assert.equal(events.length, 1);
    assert.equal(events[0]?.path, 'mine');
  });
});
