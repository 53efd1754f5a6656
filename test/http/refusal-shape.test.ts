import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import type { TestApp } from '../helpers/app.js';
import { fromIp, randomIp } from '../helpers/network.js';
import { createHttpErrorHandler } from '../../src/http/error-handler.js';
import { createLogger } from '../../src/logger.js';
import { createRequestId } from '../../src/security/http/request-id.js';
import { leaks, raw, startProd, VIA_HTTPS_PROXY, type RawResponse } from './http-helpers.js';

// Issue 16: every refusal made before GraphQL runs has the GraphQL error shape, and the content
// type GraphQL over HTTP asks for when the client accepts it (Apollo Client 4, urql, graphql-request
// and graphql-http all send `Accept: application/graphql-response+json, …`); `application/json`
// otherwise. Production mode behind the trusted loopback proxy: each request comes from its own
// address (X-Forwarded-For), so only the 429 case spends a client limit.

const GRAPHQL_RESPONSE = 'application/graphql-response+json; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const HEALTH = JSON.stringify({ query: '{ health }' });

interface Case {
  name: string;
  status: number;
  code: string;
  /** Sends the refused request with these headers added (Accept, and a fresh client address). */
  send: (url: string, headers: Record<string, string>) => Promise<RawResponse>;
  /** The same request, corrected: served. */
  fix: (url: string, headers: Record<string, string>) => Promise<RawResponse>;
  /** Headers the refusal must carry, and more checks of its error. */
  check?: (res: RawResponse, error: RefusalError) => void;
}

interface RefusalError {
  message: string;
  extensions: Record<string, unknown>;
}

const post = (url: string, headers: Record<string, string>, body: string, contentType = 'application/json') =>
  raw(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...VIA_HTTPS_PROXY, ...headers },
    body,
  });
const get = (url: string, headers: Record<string, string>, query: string) =>
  raw(`${url}/graphql?query=${encodeURIComponent(query)}`, { headers: { ...VIA_HTTPS_PROXY, ...headers } });
const servePost = (url: string, headers: Record<string, string>) => post(url, headers, HEALTH);

/** `{"a":{"a":…1…}}`, `depth` levels. */
const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const CASES: Case[] = [
  {
    name: 'bad credentials',
    status: 401,
    code: 'UNAUTHENTICATED',
    send: (u, h) => servePost(u, { ...h, authorization: 'Bearer aaaa.bbbb.cccc' }),
    fix: servePost,
    check: (res) => assert.equal(res.headers.get('www-authenticate'), 'Bearer'),
  },
  {
    name: 'method not allowed',
    status: 405,
    code: 'BAD_USER_INPUT',
    send: (u, h) =>
      raw(`${u}/graphql`, { method: 'PUT', headers: { ...VIA_HTTPS_PROXY, ...h }, body: HEALTH }),
    fix: servePost,
    check: (res) => assert.equal(res.headers.get('allow'), 'GET, POST'),
  },
  {
    name: 'body too large',
    status: 413,
    code: 'BAD_USER_INPUT',
    send: (u, h) => post(u, h, JSON.stringify({ query: `{ health } # ${'x'.repeat(5000)}` })),
    fix: servePost,
  },
  {
    name: 'unsupported body encoding',
    status: 415,
    code: 'BAD_USER_INPUT',
    send: (u, h) => post(u, { ...h, 'content-encoding': 'br2' }, HEALTH),
    fix: servePost,
  },
  {
    name: 'malformed JSON',
    status: 400,
    code: 'BAD_USER_INPUT',
    send: (u, h) => post(u, h, '{"query": '),
    fix: servePost,
  },
  {
    name: 'batch (off in production)',
    status: 400,
    code: 'BAD_USER_INPUT',
    send: (u, h) => post(u, h, `[${HEALTH}]`),
    fix: servePost,
  },
  {
    name: 'variables too deep',
    status: 400,
    code: 'BAD_USER_INPUT',
    send: (u, h) => post(u, h, `{"query":"{ health }","variables":${deep(50)}}`),
    fix: (u, h) => post(u, h, '{"query":"{ health }","variables":{"a":1}}'),
  },
  {
    name: 'operationName not a GraphQL name',
    status: 400,
    code: 'BAD_USER_INPUT',
    send: (u, h) => post(u, h, JSON.stringify({ query: 'query H { health }', operationName: 'H; DROP' })),
    fix: (u, h) => post(u, h, JSON.stringify({ query: 'query H { health }', operationName: 'H' })),
  },
  {
    name: 'CSRF: a GET without a preflight header',
    status: 400,
    code: 'BAD_USER_INPUT',
    send: (u, h) => get(u, h, '{ health }'),
    fix: (u, h) => get(u, { ...h, 'apollo-require-preflight': 'true' }, '{ health }'),
    check: (_res, error) => {
      assert.equal(error.extensions.reason, 'PREFLIGHT_REQUIRED');
      assert.match(error.message, /a GET request must carry a non-empty apollo-require-preflight header/);
      assert.match(error.message, /x-apollo-operation-name/);
    },
  },
  {
    name: 'CSRF: a text/plain POST',
    status: 400,
    code: 'BAD_USER_INPUT',
    send: (u, h) => post(u, h, HEALTH, 'text/plain'),
    fix: servePost,
    check: (_res, error) => {
      assert.equal(error.extensions.reason, 'PREFLIGHT_REQUIRED');
      assert.match(error.message, /Content-Type: application\/json/);
    },
  },
  {
    name: 'plain HTTP in production (no TLS proxy)',
    status: 426,
    code: 'FORBIDDEN',
    send: (u, h) =>
      raw(`${u}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...h },
        body: HEALTH,
      }),
    fix: servePost,
  },
  {
    name: 'unknown route',
    status: 404,
    code: 'NOT_FOUND',
    send: (u, h) => raw(`${u}/nowhere`, { headers: { ...VIA_HTTPS_PROXY, ...h } }),
    fix: servePost,
  },
];

/** Asserts the one-error GraphQL shape, the status, the code and the content type; returns the error. */
function assertRefusal(
  res: RawResponse,
  c: Pick<Case, 'status' | 'code'>,
  contentType: string,
): RefusalError {
  assert.equal(res.status, c.status, res.text);
  assert.equal(res.headers.get('content-type'), contentType, res.text);
  const body = JSON.parse(res.text) as { errors?: RefusalError[]; data?: unknown };
  assert.equal(body.errors?.length, 1, res.text);
  assert.ok(!('data' in body), 'no data entry: nothing ran');
  const [error] = body.errors ?? [];
  assert.equal(typeof error?.message, 'string');
  assert.equal(error?.extensions.code, c.code, res.text);
  assert.deepEqual(leaks(res.text), []);
  return error!;
}

describe('refusals before GraphQL: one shape, and the content type the client accepts', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd({ env: { HTTP_RATE_LIMIT: '4', MAX_BODY_BYTES: '4096' } });
  });
  after(() => t.stop());

  const client = () => fromIp(randomIp());

  for (const c of CASES) {
    it(`${c.name} → ${c.status} ${c.code}, in both content types; the corrected request is served`, async () => {
      for (const [accept, type] of [
        ['application/graphql-response+json', GRAPHQL_RESPONSE],
        // What the four clients send: GraphQL over HTTP first, JSON as the fallback.
        ['application/graphql-response+json, application/json;q=0.9', GRAPHQL_RESPONSE],
        ['application/json', JSON_TYPE],
      ] as const) {
        const res = await c.send(t.url, { accept, ...client() });
        const error = assertRefusal(res, c, type);
        c.check?.(res, error);
      }
      const fixed = await c.fix(t.url, { accept: 'application/graphql-response+json', ...client() });
      assert.equal(fixed.status, 200, fixed.text);
      assert.equal(fixed.headers.get('content-type'), GRAPHQL_RESPONSE);
      assert.deepEqual((JSON.parse(fixed.text) as { data: unknown }).data, { health: 'ok' });
    });
  }

  it('per-client limit → 429 RATE_LIMITED with Retry-After and extensions.retryAfter, in both content types', async () => {
    const from = client();
    for (let i = 0; i < 4; i++) {
      const served = await servePost(t.url, { accept: 'application/graphql-response+json', ...from });
      assert.equal(served.status, 200, served.text);
    }
    for (const [accept, type] of [
      ['application/graphql-response+json', GRAPHQL_RESPONSE],
      ['application/json', JSON_TYPE],
    ] as const) {
      const res = await servePost(t.url, { accept, ...from });
      const error = assertRefusal(res, { status: 429, code: 'RATE_LIMITED' }, type);
      const retryAfter = error.extensions.retryAfter as number;
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, res.text);
      assert.equal(res.headers.get('retry-after'), String(retryAfter));
    }
    // Another client is served.
    assert.equal((await servePost(t.url, client())).status, 200);
  });

  it('the same Accept header gets the same content type from a refusal and from a GraphQL error answer', async () => {
    // Apollo's own answer for a document that does not parse (400 GRAPHQL_PARSE_FAILED) is the reference.
    const accepts = [
      undefined,
      '*/*',
      'application/json',
      'application/graphql-response+json',
      'application/graphql-response+json, application/json;q=0.9',
      'application/json, application/graphql-response+json',
      'application/json;q=0.5, application/graphql-response+json',
      'application/graphql-response+json;q=0, application/json',
      'application/*',
    ];
    for (const accept of accepts) {
      const headers = { ...(accept === undefined ? {} : { accept }), ...client() };
      const graphql = await post(t.url, headers, JSON.stringify({ query: '{ health' }));
      assert.equal(graphql.status, 400, graphql.text);
      const refusal = await post(t.url, headers, '{"query": ');
      assert.equal(refusal.status, 400, refusal.text);
      assert.equal(
        refusal.headers.get('content-type'),
        graphql.headers.get('content-type'),
        `Accept: ${accept}`,
      );
    }
  });

  it('an Accept header that takes neither JSON type still gets a JSON refusal (application/json)', async () => {
    const res = await post(t.url, { accept: 'text/html', ...client() }, '{"query": ');
    assertRefusal(res, { status: 400, code: 'BAD_USER_INPUT' }, JSON_TYPE);
  });
});

describe('the 500 fallback of the HTTP error handler', () => {
  // A bug in middleware cannot be provoked in the real app on purpose: the real error handler
  // (and request-id step) behind a real Express server, with a route that throws.
  let server: ReturnType<express.Express['listen']>;
  let url: string;
  const lines: string[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const app = express();
    app.use(createRequestId());
    app.get('/boom', () => {
      throw new Error('secret detail of a bug');
    });
    app.use(
      createHttpErrorHandler({
        log: createLogger('info', sink),
        clientNetwork: (req) => req.ip ?? 'unknown',
      }),
    );
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('→ 500 INTERNAL_SERVER_ERROR with the request id, in both content types; the detail only in the log', async () => {
    for (const [accept, type] of [
      ['application/graphql-response+json', GRAPHQL_RESPONSE],
      ['application/json', JSON_TYPE],
    ] as const) {
      const res = await raw(`${url}/boom`, { headers: { accept } });
      const error = assertRefusal(res, { status: 500, code: 'INTERNAL_SERVER_ERROR' }, type);
      assert.equal(error.message, 'Internal server error.');
      assert.equal(error.extensions.requestId, res.headers.get('x-request-id'));
      assert.doesNotMatch(res.text, /secret detail/);
    }
    assert.ok(
      lines.some((l) => l.includes('secret detail of a bug')),
      'logged under the request id',
    );
  });
});
