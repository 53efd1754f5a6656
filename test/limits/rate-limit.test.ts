import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { createProducts } from '../helpers/fixtures.js';
import { codeOf, type GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { insertUser } from '../helpers/users.js';
import { LOGIN_ATTEMPT, loginAs, nobody } from './limits-helpers.js';

const ADD_REVIEW = 'mutation($input: AddReviewInput!) { addReview(input: $input) { id } }';

/** `n` aliased login calls in one mutation. */
const aliasedLogins = (n: number, email: string, password: string) =>
  `mutation { ${Array.from(
    { length: n },
    (_, i) => `a${i}: login(input: { email: "${email}", password: "${password}" }) { accessToken }`,
  ).join(' ')} }`;

const retryAfterOf = (res: GqlResponse, i = 0) => res.body.errors?.[i]?.extensions?.retryAfter as number;

describe('@rateLimit per viewer and field (in-memory store)', () => {
  let t: TestApp;
  let products: string[];
  before(async () => {
    t = await startApp({
      env: { ...TRUSTING_PROXY, MAX_ALIASES: '60', MAX_ROOT_FIELDS: '60', HTTP_RATE_LIMIT: '100000' },
    });
    products = await createProducts(t, 12);
  });
  after(async () => {
    await t?.stop();
  });

  it('login: 10 attempts per minute per client IP, the 11th is RATE_LIMITED with retryAfter (HTTP 200)', async () => {
    const ip = fromIp(randomIp());
    for (let i = 0; i < 10; i++) {
      const res = await t.gql(LOGIN_ATTEMPT, nobody(), ip);
      assert.equal(codeOf(res), 'UNAUTHENTICATED', res.text);
    }
    const limited = await t.gql(LOGIN_ATTEMPT, nobody(), ip);
    assert.equal(limited.status, 200);
    assert.equal(codeOf(limited), 'RATE_LIMITED', limited.text);
    const retryAfter = retryAfterOf(limited);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    // Another client is not affected: the key is per viewer, not the field alone.
    assert.equal(codeOf(await t.gql(LOGIN_ATTEMPT, nobody(), fromIp(randomIp()))), 'UNAUTHENTICATED');
  });

  it('aliases cannot multiply the budget: 50 aliased logins are 50 attempts', async () => {
    const ip = randomIp();
    const user = await insertUser(t, { ip });
    const res = await t.gql(aliasedLogins(50, user.email, user.password), undefined, fromIp(ip));
    assert.equal(res.status, 200);
    const errors = res.body.errors ?? [];
    assert.equal(errors[0]?.extensions?.code, 'RATE_LIMITED', res.text);
    // Aliases a0..a9 ran (each a real attempt), a10 was refused and ended the mutation.
    assert.deepEqual(errors[0]?.path, ['a10']);
    assert.equal(res.body.data, null);
    // The budget is spent: the next single attempt with the right password is refused too.
    const next = await t.gql(LOGIN_ATTEMPT, loginAs(user.email, user.password), fromIp(ip));
    assert.equal(codeOf(next), 'RATE_LIMITED');
    // Ten aliases, exactly the limit, all succeed for a fresh client.
    const ip2 = randomIp();
    const user2 = await insertUser(t, { ip: ip2 });
    const ten = await t.gql(aliasedLogins(10, user2.email, user2.password), undefined, fromIp(ip2));
    assert.equal(ten.body.errors, undefined, ten.text);
    assert.equal(Object.keys(ten.body.data ?? {}).length, 10);
  });

  it('per user: one user cannot spend another user’s addReview budget (10 per minute)', async () => {
    const ip = randomIp();
    const [alice, bob] = await Promise.all([insertUser(t, { ip }), insertUser(t, { ip })]);
    const review = (i: number) => ({ input: { productId: products[i], rating: 5, body: `review ${i}` } });
    for (let i = 0; i < 10; i++) {
      const res = await t.gql(ADD_REVIEW, review(i), alice.headers);
      assert.equal(res.body.errors, undefined, res.text);
    }
    const limited = await t.gql(ADD_REVIEW, review(10), alice.headers);
    assert.equal(codeOf(limited), 'RATE_LIMITED');
    assert.ok(retryAfterOf(limited) >= 1);
    // Same IP, other user: own budget.
    const bobs = await t.gql(ADD_REVIEW, review(11), bob.headers);
    assert.equal(bobs.body.errors, undefined, bobs.text);
  });

  it('@auth runs first: refused anonymous calls spend no points of the field', async () => {
    const ip = randomIp();
    for (let i = 0; i < 12; i++) {
      const res = await t.gql(
        ADD_REVIEW,
        { input: { productId: products[0], rating: 5, body: 'x' } },
        fromIp(ip),
      );
      assert.equal(codeOf(res), 'UNAUTHENTICATED');
    }
  });
});

describe('HTTP per-client request limit', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ env: { ...TRUSTING_PROXY, HTTP_RATE_LIMIT: '5', HTTP_RATE_WINDOW_SECONDS: '60' } });
  });
  after(async () => {
    await t?.stop();
  });

  it('admits the limit with RateLimit-* headers, then 429 with Retry-After before any parsing', async () => {
    const ip = fromIp(randomIp());
    for (let i = 0; i < 5; i++) {
      const res = await t.gql('{ health }', undefined, ip);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('ratelimit-limit'), '5');
      assert.equal(res.headers.get('ratelimit-remaining'), String(4 - i));
      const reset = Number(res.headers.get('ratelimit-reset'));
      assert.ok(reset >= 1 && reset <= 60);
    }
    // Over the limit even a malformed body is refused by the limiter, not parsed.
    const refused = await t.post('{"query": "{ health', ip);
    assert.equal(refused.status, 429);
    assert.equal(codeOf(refused), 'RATE_LIMITED');
    const retryAfter = retryAfterOf(refused);
    assert.ok(retryAfter >= 1 && retryAfter <= 60);
    assert.equal(refused.headers.get('retry-after'), String(retryAfter));
    assert.equal(refused.headers.get('ratelimit-remaining'), '0');
    assert.deepEqual(Object.keys(refused.body), ['errors']);
    assert.ok(
      securityEvents(t, 'limit_hit').some((l) => l.code === 'RATE_LIMITED' && l.status === 429),
      'the 429 is logged as a limit_hit security event',
    );
    // Another client is unaffected.
    assert.equal((await t.gql('{ health }', undefined, fromIp(randomIp()))).status, 200);
  });
});

describe('HTTP per-client request limit with the proxy NOT trusted (TRUST_PROXY default)', () => {
  let t: TestApp;
  before(async () => {
    // No TRUSTING_PROXY here: every other limit test trusts the loopback proxy, so none of them
    // would notice the limiter keying on the client's own X-Forwarded-For header.
    t = await startApp({ env: { HTTP_RATE_LIMIT: '3', HTTP_RATE_WINDOW_SECONDS: '60' } });
  });
  after(async () => {
    await t?.stop();
  });

  it('a forged X-Forwarded-For per request does not buy a fresh budget: 200, 200, 200, 429', async () => {
    assert.equal(t.app.config.trustProxy, false);
    const statuses: number[] = [];
    let last: GqlResponse | undefined;
    // Four different forged addresses from the same loopback client: all charged to its req.ip.
    for (const forged of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4']) {
      last = await t.gql('{ health }', undefined, fromIp(forged));
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429], last?.text);
    assert.ok(last);
    assert.equal(codeOf(last), 'RATE_LIMITED');
    const retryAfter = retryAfterOf(last);
    assert.ok(retryAfter >= 1 && retryAfter <= 60);
    assert.equal(last.headers.get('retry-after'), String(retryAfter));
  });
});

describe('batched requests (development, MAX_BATCH_SIZE=3)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ env: { ...TRUSTING_PROXY, MAX_BATCH_SIZE: '3', HTTP_RATE_LIMIT: '20' } });
  });
  after(async () => {
    await t?.stop();
  });

  it('a batch within the cap runs, and every operation is charged to the HTTP limit', async () => {
    const ip = fromIp(randomIp());
    const res = await t.post([{ query: '{ health }' }, { query: '{ health }' }, { query: '{ health }' }], ip);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as unknown as unknown[]).length, 3);
    assert.equal(res.headers.get('ratelimit-remaining'), '17');
  });

  it('a batch over the cap is a 400', async () => {
    const res = await t.post(
      Array.from({ length: 4 }, () => ({ query: '{ health }' })),
      fromIp(randomIp()),
    );
    assert.equal(res.status, 400);
    assert.equal(codeOf(res), 'BAD_USER_INPUT');
  });

  it('a batch cannot multiply a field budget: every operation’s login is an attempt', async () => {
    const ip = fromIp(randomIp());
    const op = () => ({ query: LOGIN_ATTEMPT, variables: nobody() });
    const codes: unknown[] = [];
    let last: GqlResponse | undefined;
    for (let i = 0; i < 4; i++) {
      last = await t.post([op(), op(), op()], ip);
      assert.equal(last.status, 200, last.text);
      for (const r of last.body as unknown as GqlResponse['body'][])
        codes.push(r.errors?.[0]?.extensions?.code);
    }
    // 12 attempts against a limit of 10: exactly 10 ran, 2 were refused.
    assert.equal(codes.filter((c) => c === 'UNAUTHENTICATED').length, 10);
    assert.equal(codes.filter((c) => c === 'RATE_LIMITED').length, 2);
    // …and the HTTP limit counted 12 operations, not 4 requests.
    assert.equal(last?.headers.get('ratelimit-remaining'), '8');
  });
});

describe('execution timeout and slow clients', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({
      env: {
        ...TRUSTING_PROXY,
        EXECUTION_TIMEOUT_MS: '100',
        MAX_ALIASES: '20',
        MAX_ROOT_FIELDS: '20',
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
      },
    });
  });
  after(async () => {
    await t?.stop();
  });

  it('an execution that runs too long is cut off with a clean coded error', async () => {
    const ip = randomIp();
    const user = await insertUser(t, { ip });
    // Legitimate: an ordinary query is well inside 100 ms (a few tries, in case a loaded machine
    // stalls one: it must succeed at least once). A login (argon2) on a loaded machine may not be.
    const cheap = '{ products(first: 1) { totalCount } }';
    let one = await t.gql(cheap, undefined, fromIp(ip));
    for (let attempt = 1; attempt < 5 && one.body.errors; attempt++) {
      one = await t.gql(cheap, undefined, fromIp(ip));
    }
    assert.equal(one.body.errors, undefined, one.text);
    assert.equal(
      typeof (one.body.data?.products as { totalCount?: unknown } | undefined)?.totalCount,
      'number',
    );
    // Ten in a row (serial mutation) do not: the execution is cut off.
    const start = Date.now();
    const res = await t.gql(aliasedLogins(10, user.email, user.password), undefined, fromIp(randomIp()));
    assert.ok(Date.now() - start < 2000);
    assert.equal(res.status, 200);
    const error = res.body.errors?.[0];
    assert.equal(error?.extensions?.code, 'INTERNAL_SERVER_ERROR', res.text);
    assert.equal(error?.message, 'Internal server error.');
    assert.equal(typeof error?.extensions?.requestId, 'string');
    assert.doesNotMatch(res.text, /timed out|stack/);
    assert.ok(securityEvents(t, 'limit_hit').some((l) => l.limit === 'execution_timeout'));
  });

  it('a client that sends its headers too slowly gets a 408 and the socket is closed', async () => {
    const { port } = new URL(t.url);
    const start = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\n'); // …and never finishes
      });
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    const elapsed = Date.now() - start;
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.ok(elapsed >= 900 && elapsed < 3000, `closed after ${elapsed} ms`);
    // A normal client is served.
    assert.equal((await t.gql('{ health }', undefined, fromIp(randomIp()))).status, 200);
  });
});
