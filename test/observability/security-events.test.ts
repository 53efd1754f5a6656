import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { createProducts } from '../helpers/fixtures.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { insertUser, LOGIN } from '../helpers/users.js';
import { startProd, VIA_HTTPS_PROXY } from '../http/http-helpers.js';

// One security decision, one event, one counter increment: every hostile-document class and every
// authentication failure of the suites, sent to one app with low limits, must write exactly one
// `security: true` log line in the documented format (docs/observability.md#security-events) and
// move `security_events_total` by exactly one, on the series of that event, protection and code.

const ENV = {
  ...TRUSTING_PROXY,
  METRICS_PORT: '0',
  MAX_DEPTH: '3',
  MAX_ALIASES: '2',
  MAX_DIRECTIVES: '2',
  MAX_ROOT_FIELDS: '2',
  MAX_FRAGMENT_SPREADS: '3',
  MAX_TOKENS: '200',
  MAX_COST: '50',
  COST_BUDGET_PER_HOUR: '100',
  MAX_BODY_BYTES: '2048',
  MAX_OPERATION_NAME_LENGTH: '20',
  MAX_VARIABLES_DEPTH: '2',
  MAX_BATCH_SIZE: '0',
  HTTP_RATE_LIMIT: '5',
};

/** A products page costing 1 + 2 × first (estimate). */
const page = (first: number) => `{ products(first: ${first}) { edges { node { id } } } }`;

interface Case {
  name: string;
  /** Requests that set the case up (from the same client network), answered normally. */
  prepare?: (send: (request: Send) => Promise<Response>) => Promise<void>;
  send: Send;
  status: number;
  event: string;
  protection: string;
  code: string;
}
type Send = (ctx: { ip: string; t: TestApp }) => Promise<Response>;

const post = (t: TestApp, ip: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...fromIp(ip), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const query =
  (q: string, headers?: Record<string, string>): Send =>
  ({ t, ip }) =>
    post(t, ip, { query: q }, headers);

const CASES: Case[] = [
  // Hostile documents.
  {
    name: 'too deep',
    send: query(
      '{ viewer { id } products(first: 1) { edges { node { reviews(first: 1) { edges { node { id } } } } } } }',
    ),
    status: 400,
    event: 'validation_failure',
    protection: 'documentLimits',
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'too many aliases',
    send: query('{ a: health b: health c: health }'),
    status: 400,
    event: 'validation_failure',
    protection: 'documentLimits',
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'too many directives',
    send: query('{ health @include(if: true) @skip(if: false) h2: health @include(if: true) }'),
    status: 400,
    event: 'validation_failure',
    protection: 'documentLimits',
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'fragment fan-out',
    send: query(
      'query { ...A } fragment A on Query { ...B ...B } fragment B on Query { health ...C ...C } fragment C on Query { health }',
    ),
    status: 400,
    event: 'validation_failure',
    protection: 'documentLimits',
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'too many tokens',
    send: query(`{ ${'health '.repeat(250)}}`),
    status: 400,
    event: 'validation_failure',
    protection: 'documentLimits',
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'a syntax error',
    send: query('{ health '),
    status: 400,
    event: 'validation_failure',
    protection: 'graphqlParser',
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'an unknown field',
    send: query('{ nope }'),
    status: 400,
    event: 'validation_failure',
    protection: 'graphqlValidation',
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'too costly',
    send: query(page(30)),
    status: 400,
    event: 'validation_failure',
    protection: 'cost',
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'the hourly cost budget spent',
    prepare: async (send) => {
      for (const first of [20, 20]) assert.equal((await send(query(page(first)))).status, 200);
    },
    send: query(page(20)),
    status: 429,
    event: 'limit_hit',
    protection: 'cost',
    code: 'RATE_LIMITED',
  },
  // Hostile requests.
  {
    name: 'a body over the limit',
    send: ({ t, ip }) => post(t, ip, { query: `{ health }${' '.repeat(4000)}` }),
    status: 413,
    event: 'validation_failure',
    protection: 'bodyLimit',
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a batch',
    send: ({ t, ip }) => post(t, ip, [{ query: '{ health }' }, { query: '{ health }' }]),
    status: 400,
    event: 'validation_failure',
    protection: 'batchLimit',
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a forged cross-site POST',
    send: ({ t, ip }) =>
      post(t, ip, JSON.stringify({ query: '{ health }' }), { 'content-type': 'text/plain' }),
    status: 400,
    event: 'validation_failure',
    protection: 'csrf',
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an operation name over the limit',
    send: ({ t, ip }) => post(t, ip, { query: '{ health }', operationName: 'N'.repeat(30) }),
    status: 400,
    event: 'validation_failure',
    protection: 'operationName',
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'variables nested too deep',
    send: ({ t, ip }) => post(t, ip, { query: '{ health }', variables: { a: { b: { c: { d: 1 } } } } }),
    status: 400,
    event: 'validation_failure',
    protection: 'variablesLimit',
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'the per-client request limit spent',
    prepare: async (send) => {
      for (let i = 0; i < 5; i++) assert.equal((await send(query('{ health }'))).status, 200);
    },
    send: query('{ health }'),
    status: 429,
    event: 'limit_hit',
    protection: 'clientLimit',
    code: 'RATE_LIMITED',
  },
  // Authentication and authorization failures.
  {
    name: 'a forged bearer token',
    send: query('{ health }', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.forged' }),
    status: 401,
    event: 'auth_failure',
    protection: 'authentication',
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'a malformed API key',
    send: query('{ health }', { 'x-api-key': 'not-a-key' }),
    status: 401,
    event: 'auth_failure',
    protection: 'authentication',
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'a bearer token and an API key at once',
    send: query('{ health }', { authorization: 'Bearer x', 'x-api-key': 'y' }),
    status: 401,
    event: 'auth_failure',
    protection: 'authentication',
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'a wrong password',
    send: async ({ t, ip }) => {
      const user = await insertUser(t);
      return post(t, ip, {
        query: LOGIN,
        variables: { input: { email: user.email, password: `${user.password}x` } },
      });
    },
    status: 200,
    event: 'auth_failure',
    protection: 'authentication',
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'an anonymous caller on a signed-in field (@auth)',
    send: query('{ myOrders(first: 1) { edges { node { id } } } }'),
    status: 200,
    event: 'authz_denied',
    protection: 'auth',
    code: 'UNAUTHENTICATED',
  },
  {
    name: 'refreshSession without a session',
    send: query('mutation { refreshSession { accessToken } }'),
    status: 200,
    event: 'auth_failure',
    protection: 'refreshSessions',
    code: 'UNAUTHENTICATED',
  },
];

/** `security_events_total` series of a scrape, keyed `event/protection/code`. */
async function securityCounters(t: TestApp): Promise<Map<string, number>> {
  const res = await fetch(`${t.app.metricsUrl()}/metrics`);
  assert.equal(res.status, 200);
  const counters = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const match = /^security_events_total\{(.*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    counters.set(`${labels.event}/${labels.protection}/${labels.code}`, Number(match[2]));
  }
  return counters;
}

const title = (c: Case) => `${c.name} → ${c.event} / ${c.protection} / ${c.code} (${c.status})`;

/** Sends the case and checks its one event (documented fields) and its one counter increment. */
async function checkCase(t: TestApp, c: Case): Promise<void> {
  const ip = randomIp();
  const send = (request: Send) => request({ ip, t });
  await c.prepare?.(send);
  await t.app.idle();
  const logsBefore = t.logs.length;
  const countersBefore = await securityCounters(t);

  const res = await send(c.send);
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  assert.equal(res.status, c.status, JSON.stringify(body));
  assert.equal(body.errors?.[0]?.extensions?.code, c.code, JSON.stringify(body));
  await t.app.idle();

  const events = t.logs.slice(logsBefore).filter((l) => l.security === true);
  assert.equal(events.length, 1, JSON.stringify(events));
  const [event] = events;
  assert.equal(event?.event, c.event, JSON.stringify(event));
  assert.equal(event?.protection, c.protection, JSON.stringify(event));
  assert.equal(event?.code, c.code, JSON.stringify(event));
  // The documented fields of every event.
  assert.equal(event?.eventVersion, 1);
  assert.equal(typeof event?.requestId, 'string');
  assert.equal(event?.network, ip, JSON.stringify(event));
  assert.equal(typeof event?.viewer, 'string');

  const countersAfter = await securityCounters(t);
  const key = `${c.event}/${c.protection}/${c.code}`;
  assert.equal((countersAfter.get(key) ?? 0) - (countersBefore.get(key) ?? 0), 1, key);
  assert.equal(total(countersAfter) - total(countersBefore), 1, 'no other counter moved');
}

/** Production only: introspection off, plain HTTP refused (behind the trusted loopback proxy). */
const PRODUCTION_CASES: Case[] = [
  {
    name: 'introspection in production',
    send: query('{ __schema { types { name } } }', VIA_HTTPS_PROXY),
    status: 400,
    event: 'validation_failure',
    protection: 'introspection',
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'plain HTTP in production',
    send: query('{ health }', { 'x-forwarded-proto': 'http' }),
    status: 426,
    event: 'authz_denied',
    protection: 'https',
    code: 'FORBIDDEN',
  },
];

const total = (counters: Map<string, number>) => [...counters.values()].reduce((a, b) => a + b, 0);

describe('one security decision: one event in the documented format, one counter increment', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ env: ENV });
    // Real list sizes: the budget is charged the actual cost (1 + 2 × 20 for a full page of 20).
    await createProducts(t, 25);
  });
  after(() => t.stop());

  for (const c of CASES) it(title(c), () => checkCase(t, c));

  it('a legitimate request writes no event and moves no counter', async () => {
    const ip = randomIp();
    const logsBefore = t.logs.length;
    const before = total(await securityCounters(t));
    const res = await post(t, ip, { query: page(2) });
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(t.logs.slice(logsBefore).filter((l) => l.security === true).length, 0);
    assert.equal(total(await securityCounters(t)), before);
  });
});

describe('the same in production: introspection and plain HTTP', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd({ env: { METRICS_PORT: '0' } });
  });
  after(() => t.stop());

  for (const c of PRODUCTION_CASES) it(title(c), () => checkCase(t, c));
});
