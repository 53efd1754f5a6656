import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { startApp, type TestApp } from '../helpers/app.js';
import { assertOk, codeOf, type GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { MAX_VALIDATION_ERRORS } from '../../src/security/document/document-limits.js';

// Tight limits so each boundary is a small, readable document.
const TIGHT = {
  ...TRUSTING_PROXY,
  MAX_TOKENS: '60',
  MAX_DEPTH: '4',
  MAX_ALIASES: '3',
  MAX_DIRECTIVES: '3',
  MAX_ROOT_FIELDS: '3',
  MAX_FRAGMENT_SPREADS: '6',
  MAX_BODY_BYTES: '2048',
  HTTP_RATE_LIMIT: '100000',
};

const assertRefused = (res: GqlResponse, code: 'GRAPHQL_VALIDATION_FAILED' | 'GRAPHQL_PARSE_FAILED') => {
  assert.equal(res.status, 400, res.text);
  assert.equal(codeOf(res), code, res.text);
  assert.equal(res.body.data, undefined);
  assert.doesNotMatch(res.text, /stack|node_modules|\.ts:|\.js:/);
};

/** `n` nested selections of `__type { ofType { … } }` under the introspection root. */
const introspectionOfDepth = (depth: number) =>
  `{ __type(name: "Product") ${'{ ofType '.repeat(depth - 1)}{ name }${' }'.repeat(depth - 1)} }`;

describe('document limits', () => {
  let t: TestApp;
  let defaults: TestApp;
  const ip = randomIp();
  const gql = (query: string, variables?: Record<string, unknown>) => t.gql(query, variables, fromIp(ip));

  before(async () => {
    [t, defaults] = await Promise.all([
      startApp({ env: TIGHT }),
      startApp({ env: { ...TRUSTING_PROXY, HTTP_RATE_LIMIT: '100000' } }),
    ]);
  });
  after(async () => {
    await Promise.all([t?.stop(), defaults?.stop()]);
  });

  it('tokens: a document of exactly MAX_TOKENS tokens parses; one more is a 400 PARSE_FAILED', async () => {
    // query { viewer { id × k } } is 6 + k tokens.
    assertOk(await gql(`query { viewer { ${'id '.repeat(54)}} }`));
    assertRefused(await gql(`query { viewer { ${'id '.repeat(55)}} }`), 'GRAPHQL_PARSE_FAILED');
  });

  it('malformed documents are a 400 PARSE_FAILED, never an internal error', async () => {
    for (const q of ['{ viewer { id }', '{ viewer(', '}}}}', 'query { "x" }', '{ viewer { id } } garbage']) {
      assertRefused(await gql(q), 'GRAPHQL_PARSE_FAILED');
    }
  });

  it('depth: MAX_DEPTH levels pass; one more level is a 400', async () => {
    // products(1) edges(2) node(3) reviews(4) totalCount: depth 4.
    assertOk(await gql('{ products(first: 1) { edges { node { reviews(first: 1) { totalCount } } } } }'));
    assertRefused(
      await gql('{ products(first: 1) { edges { node { reviews(first: 1) { edges { cursor } } } } } }'),
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('depth through fragments counts the expanded nesting', async () => {
    const frag = 'fragment R on Product { reviews(first: 1) { edges { cursor } } }';
    assertRefused(
      await gql(`{ products(first: 1) { edges { node { ...R } } } } ${frag}`),
      'GRAPHQL_VALIDATION_FAILED',
    );
    const ok = 'fragment R on Product { reviews(first: 1) { totalCount } }';
    assertOk(await gql(`{ products(first: 1) { edges { node { ...R } } } } ${ok}`));
  });

  it('aliases: MAX_ALIASES pass; one more is a 400; fragments spread twice count twice', async () => {
    assertOk(await gql('{ a: health b: health c: health }'));
    assertRefused(
      await gql('{ a: health b: health c: health viewer { d: id } }'),
      'GRAPHQL_VALIDATION_FAILED',
    );
    assertOk(await gql('{ viewer { ...A } } fragment A on User { x: id y: id }'));
    assertRefused(
      await gql('{ viewer { ...A ...A } } fragment A on User { x: id y: id }'),
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('directives: MAX_DIRECTIVES pass; one more is a 400', async () => {
    assertOk(await gql('{ health @include(if: true) viewer @skip(if: false) { id @include(if: true) } }'));
    assertRefused(
      await gql(
        '{ health @include(if: true) viewer @skip(if: false) { id @include(if: true) name @skip(if: false) } }',
      ),
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('root fields: MAX_ROOT_FIELDS pass; one more (also through a fragment) is a 400', async () => {
    assertOk(await gql('{ health viewer { id } products(first: 1) { totalCount } }'));
    assertRefused(
      await gql('{ health viewer { id } products(first: 1) { totalCount } h: health }'),
      'GRAPHQL_VALIDATION_FAILED',
    );
    assertRefused(
      await gql('{ ...Q ...Q } fragment Q on Query { health viewer { id } }'),
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('fragment spreads: MAX_FRAGMENT_SPREADS expanded pass; one more is a 400', async () => {
    // B spreads C twice: `...B ...B` expands to 2 + 2 × 2 = 6 spreads.
    const bc = 'fragment B on User { ...C ...C } fragment C on User { id }';
    assertOk(await gql(`{ viewer { ...B ...B } } ${bc}`));
    // A spreads B twice: `...A` expands to 1 + 2 + 4 = 7.
    assertRefused(
      await gql(`{ viewer { ...A } } fragment A on User { ...B ...B } ${bc}`),
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('fragment fan-out (10 fragments each spreading the next twice) is a quick 400', async () => {
    let frags = '';
    for (let i = 0; i < 10; i++) frags += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} } `;
    frags += 'fragment F10 on Query { health }';
    const start = Date.now();
    const res = await defaults.gql(`{ ...F0 } ${frags}`, undefined, fromIp(randomIp()));
    assertRefused(res, 'GRAPHQL_VALIDATION_FAILED');
    assert.ok(Date.now() - start < 1000, 'refused quickly');
  });

  it('fan-out 60 levels deep (2⁶⁰ expansions) is refused in linear time', async () => {
    let frags = '';
    for (let i = 0; i < 60; i++) frags += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} } `;
    frags += 'fragment F60 on Query { viewer { id } }';
    const start = Date.now();
    const res = await defaults.gql(`{ ...F0 } ${frags}`, undefined, fromIp(randomIp()));
    assertRefused(res, 'GRAPHQL_VALIDATION_FAILED');
    assert.ok(Date.now() - start < 1000, 'refused quickly');
  });

  it('fragment cycles and unknown fragments are a 400 (the depth rule never sees them)', async () => {
    const start = Date.now();
    assertRefused(
      await gql('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }'),
      'GRAPHQL_VALIDATION_FAILED',
    );
    assertRefused(
      await gql('{ ...A } fragment A on Query { viewer { ...A2 } } fragment A2 on User { ...A2 }'),
      'GRAPHQL_VALIDATION_FAILED',
    );
    assertRefused(await gql('{ ...Nope }'), 'GRAPHQL_VALIDATION_FAILED');
    assertRefused(await gql('{ viewer { ...Missing } }'), 'GRAPHQL_VALIDATION_FAILED');
    assert.ok(Date.now() - start < 2000);
    assert.equal(t.logs.filter((l) => l.level === 50).length, 0, 'no internal error was logged');
  });

  // Two fragments of one name: graphql-js refuses the document, but every validation rule runs on
  // it, and graphql-depth-limit walks the last definition. A cycle there overflowed the stack (a
  // 500); a doubling chain there took exponential time (about 30 fragments held the event loop for
  // minutes). The analysis now refuses duplicates, so the library never sees such a document.
  it(
    'duplicate fragment names are a 400, whatever the second definition hides',
    { timeout: 20_000 },
    async () => {
      assertRefused(
        await gql('{ ...F } fragment F on Query { health } fragment F on Query { ...F }'),
        'GRAPHQL_VALIDATION_FAILED',
      );
      let chain = '';
      for (let i = 1; i < 24; i++) chain += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} } `;
      chain += 'fragment F24 on Query { health }';
      const fanOut = `{ ...F0 } fragment F0 on Query { health } fragment F0 on Query { ...F1 ...F1 } ${chain}`;
      assertRefused(await defaults.gql(fanOut, undefined, fromIp(randomIp())), 'GRAPHQL_VALIDATION_FAILED');
      assert.equal(t.logs.filter((l) => l.level === 50).length, 0, 'no internal error was logged');
    },
  );

  it('body size: MAX_BODY_BYTES passes; one byte more is a 413 before parsing', async () => {
    const body = (size: number) => {
      const base = JSON.stringify({ query: '{ health }', variables: { pad: '' } });
      return JSON.stringify({ query: '{ health }', variables: { pad: 'x'.repeat(size - base.length) } });
    };
    const ok = await t.post(body(2048), fromIp(ip));
    assert.equal(Buffer.byteLength(body(2048)), 2048);
    assertOk(ok);
    const big = await t.post(body(2049), fromIp(ip));
    assert.equal(big.status, 413);
    assert.equal(codeOf(big), 'BAD_USER_INPUT');
  });

  it('introspection: the standard (Sandbox) query passes in development; deeper nesting is refused', async () => {
    const res = await defaults.gql(
      getIntrospectionQuery({ descriptions: true }),
      undefined,
      fromIp(randomIp()),
    );
    assertOk(res);
    assert.ok((res.body.data?.__schema as { types: unknown[] }).types.length > 10);
    // graphql-depth-limit ignores __ fields; introspection nesting has its own bound (15).
    assertOk(await defaults.gql(introspectionOfDepth(15), undefined, fromIp(randomIp())));
    assertRefused(
      await defaults.gql(introspectionOfDepth(16), undefined, fromIp(randomIp())),
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('a document breaking a rule hundreds of times gets a bounded answer and one log line', async () => {
    // 80 repeats of one directive: over MAX_DIRECTIVES, and the spec's unique-directive rule fails
    // once per repeat. graphql-js stops at MAX_VALIDATION_ERRORS (10) plus its "aborted" error;
    // the client gets one error per kind of mistake, the log counts every one found.
    const requestId = `flood-${randomIp()}`;
    const res = await defaults.gql(`{ health${' @include(if: true)'.repeat(80)} }`, undefined, {
      ...fromIp(ip),
      'x-request-id': requestId,
    });
    assertRefused(res, 'GRAPHQL_VALIDATION_FAILED');
    const messages = (res.body.errors ?? []).map((e) => e.message);
    assert.deepEqual(messages, [
      'The operation has 80 directives; the limit is 20.',
      'The directive "@include" can only be used once at this location.',
      'Too many validation errors, error limit reached. Validation aborted.',
    ]);
    const lines = defaults.logs.filter((l) => l.security === true && l.requestId === requestId);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0]?.event, 'validation_failure');
    assert.equal(lines[0]?.count, MAX_VALIDATION_ERRORS + 1);
  });

  it('refusals are logged as security events', async () => {
    assert.ok(securityEvents(t, 'validation_failure').length > 0);
  });
});

describe('document limits in production', () => {
  let t: TestApp;
  const https = { 'x-forwarded-proto': 'https', ...fromIp(randomIp()) };
  before(async () => {
    t = await startApp({
      env: {
        ...TIGHT,
        NODE_ENV: 'production',
        PASSWORD_RESET_URL: 'https://app.example.com/reset-password',
        EMAIL_VERIFY_URL: 'https://app.example.com/verify-email',
        SMTP_URL: 'smtp://127.0.0.1:9',
        MAX_BATCH_SIZE: '5',
      },
    });
  });
  after(async () => {
    await t?.stop();
  });

  it('refuses over-limit documents without revealing any limit value', async () => {
    const cases: [string, 'GRAPHQL_VALIDATION_FAILED' | 'GRAPHQL_PARSE_FAILED'][] = [
      [`query { viewer { ${'id '.repeat(55)}} }`, 'GRAPHQL_PARSE_FAILED'],
      [
        '{ products(first: 1) { edges { node { reviews(first: 1) { edges { cursor } } } } } }',
        'GRAPHQL_VALIDATION_FAILED',
      ],
      ['{ a: health b: health c: health viewer { d: id } }', 'GRAPHQL_VALIDATION_FAILED'],
      ['{ health viewer { id } products(first: 1) { totalCount } h: health }', 'GRAPHQL_VALIDATION_FAILED'],
    ];
    for (const [query, code] of cases) {
      const res = await t.gql(query, undefined, https);
      assertRefused(res, code);
      for (const e of res.body.errors ?? []) assert.doesNotMatch(e.message, /\d/, e.message);
    }
  });

  it('batched requests are refused in production whatever MAX_BATCH_SIZE says', async () => {
    const res = await t.post([{ query: '{ health }' }, { query: '{ health }' }], https);
    assert.equal(res.status, 400);
    assert.equal(codeOf(res), 'BAD_USER_INPUT');
  });
});
