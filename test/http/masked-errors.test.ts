import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { requireService } from '../helpers/env.js';
import { leaks, raw, startDev, startProd, VIA_HTTPS_PROXY } from './http-helpers.js';

interface GqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
}

const PRODUCTS = 'query Catalogue { products(first: 2) { edges { node { id name description } } } }';

async function post(t: TestApp, body: unknown, headers: Record<string, string> = {}) {
  const res = await raw(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { ...res, body: JSON.parse(res.text) as GqlBody };
}

/**
 * Breaks the products table for real (on this test's own isolated database), so the resolver
 * hits a genuine database error. The client must see a generic INTERNAL_SERVER_ERROR carrying the
 * request id; the log line with that id carries the real error.
 */
function maskedErrorSuite(
  name: string,
  start: () => Promise<TestApp>,
  headers: Record<string, string>,
  skip: string | false,
) {
  describe(name, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await start();
    });
    after(() => t.stop());

    it('legitimate: the query works while the table is intact', async () => {
      const res = await post(t, { query: PRODUCTS }, headers);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.errors, undefined);
    });

    it('an unexpected resolver error is masked; the request id matches the log line with the real error', async () => {
      await t.app.db.query('ALTER TABLE products RENAME COLUMN description TO description_gone');
      try {
        const res = await post(t, { query: PRODUCTS }, headers);
        const error = res.body.errors?.[0];
        assert.ok(error, res.text);
        assert.equal(error.message, 'Internal server error.');
        assert.equal(error.extensions?.code, 'INTERNAL_SERVER_ERROR');
        const requestId = error.extensions?.requestId;
        assert.equal(typeof requestId, 'string');
        assert.equal(requestId, res.headers.get('x-request-id'));
        assert.deepEqual(Object.keys(error.extensions ?? {}).sort(), ['code', 'requestId']);
        assert.deepEqual(leaks(res.text), []);

        const line = t.logs.find(
          (l) => l.requestId === requestId && l.msg === 'unexpected error (masked for the client)',
        );
        assert.ok(line, 'a log line carries the same request id');
        const err = line.err as { message?: string; stack?: string };
        assert.match(err.message ?? '', /description/, 'the log keeps the real database error');
        assert.equal(line.operationName, 'Catalogue');
        assert.equal(line.viewer, 'anonymous');
      } finally {
        await t.app.db.query('ALTER TABLE products RENAME COLUMN description_gone TO description');
      }
    });
  });
}

maskedErrorSuite('masked errors, development (PGlite)', () => startDev({ driver: 'pglite' }), {}, false);
maskedErrorSuite(
  'masked errors, production (PostgreSQL)',
  () => startProd({ driver: 'pg' }),
  { ...VIA_HTTPS_PROXY },
  requireService('DATABASE_URL'),
);

describe('production: no schema details for clients', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd();
  });
  after(() => t.stop());

  it('a misspelt field gets GRAPHQL_VALIDATION_FAILED without "Did you mean"', async () => {
    const res = await post(t, { query: '{ viewr { id } }' }, VIA_HTTPS_PROXY);
    assert.equal(res.status, 400);
    assert.equal(res.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.doesNotMatch(res.text, /Did you mean/);
    assert.doesNotMatch(res.text, /"viewer"|"user"/);
  });

  it('a misspelt argument and type get no suggestion either', async () => {
    const res = await post(t, { query: '{ products(frist: 1) { totalCount } }' }, VIA_HTTPS_PROXY);
    assert.equal(res.status, 400);
    assert.doesNotMatch(res.text, /Did you mean/);
  });

  it('introspection is off: __schema and __type are refused', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "User") { fields { name } } }']) {
      const res = await post(t, { query }, VIA_HTTPS_PROXY);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      assert.equal(res.body.data, undefined);
    }
  });

  it('__typename (not introspection of the schema) still works', async () => {
    const res = await post(t, { query: '{ __typename }' }, VIA_HTTPS_PROXY);
    assert.deepEqual(res.body.data, { __typename: 'Query' });
  });

  it('batching is off: an array of operations is refused', async () => {
    const res = await post(t, [{ query: '{ __typename }' }, { query: '{ __typename }' }], VIA_HTTPS_PROXY);
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  it('no error carries a stack trace or an exception extension', async () => {
    const res = await post(t, { query: '{ products(first: "x") { totalCount } }' }, VIA_HTTPS_PROXY);
    assert.equal(res.status, 400);
    for (const e of res.body.errors ?? []) {
      assert.equal(e.extensions?.stacktrace, undefined);
      assert.equal(e.extensions?.exception, undefined);
    }
    assert.deepEqual(leaks(res.text), []);
  });
});

describe('development: helpful messages, introspection on (the pair of the production checks)', () => {
  let t: TestApp;
  before(async () => {
    t = await startDev();
  });
  after(() => t.stop());

  it('a misspelt field gets a suggestion', async () => {
    const res = await post(t, { query: '{ viewr { id } }' });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(res.body.errors?.[0]?.message ?? '', /Did you mean "viewer"/);
  });

  it('introspection works (the Sandbox needs it)', async () => {
    const res = await post(t, { query: '{ __schema { queryType { name } } }' });
    assert.deepEqual(res.body.data, { __schema: { queryType: { name: 'Query' } } });
  });

  it('a parse error keeps its location and a helpful message, but no stack', async () => {
    const res = await post(t, { query: '{ products(first: 1) { ' });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(res.body.errors?.[0]?.message ?? '', /Syntax Error/);
    assert.equal(res.body.errors?.[0]?.extensions?.stacktrace, undefined);
  });
});
