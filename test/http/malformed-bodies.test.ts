import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { leaks, raw, startProd, VIA_HTTPS_PROXY, type RawResponse } from './http-helpers.js';

// Issue 14: a corpus of malformed requests to /graphql, in production mode behind the trusted
// proxy. Every row must be a 4xx with the contract's error shape and one of its codes, never a
// 500, never a stack, a file path, SQL or a library's own wording, and never an internal error
// in the log (level >= 50, i.e. error or fatal).

interface Request {
  method?: 'GET' | 'POST';
  /** POST body, sent as is (a string or raw bytes). */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** GET query string, without the "?". */
  qs?: string;
}

interface Row {
  name: string;
  req: Request;
  status: number;
  code: string;
}

const CONTRACT_CODES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'RATE_LIMITED',
]);

// On top of LEAK_PATTERNS (stacks, paths, SQL, JSON parser messages, HTML pages). "Apollo" is
// matched case-sensitively: the CSRF refusal names the lowercase header a client must send
// (apollo-require-preflight), which is protocol, not a library leaking.
const FORBIDDEN: readonly RegExp[] = [
  /Apollo/,
  /express/i,
  /body-parser/i,
  /SyntaxError/,
  /Unexpected token/i,
  /node_modules/,
  /\.ts:/,
  /\.js:/,
];

const json = (value: unknown) => JSON.stringify(value);
const post = (body: string | Uint8Array, headers: Record<string, string> = {}): Request => ({
  body,
  headers,
});
const get = (params: Record<string, string>): Request => ({
  method: 'GET',
  qs: new URLSearchParams(params).toString(),
});
/** `{"a":{"a":…1…}}`, `depth` levels, built as text (JSON.stringify would recurse). */
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

const HEALTH = '{ health }';
const ok = json({ query: HEALTH });
const manyKeys = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));

const BAD = 'BAD_USER_INPUT';
const PARSE = 'GRAPHQL_PARSE_FAILED';

const CORPUS: Row[] = [
  // variables: bounded by the variablesLimit protection before anything walks them
  {
    name: 'variables 10,000 deep',
    req: post(`{"query":"${HEALTH}","variables":${deepObject(10_000)}}`),
    status: 400,
    code: BAD,
  },
  {
    name: 'variables with 1,001 keys',
    req: post(json({ query: HEALTH, variables: manyKeys })),
    status: 400,
    code: BAD,
  },
  { name: 'variables a string', req: post(json({ query: HEALTH, variables: '{}' })), status: 400, code: BAD },
  { name: 'variables an array', req: post(json({ query: HEALTH, variables: [1] })), status: 400, code: BAD },
  { name: 'variables a number', req: post(json({ query: HEALTH, variables: 1 })), status: 400, code: BAD },
  { name: 'variables true', req: post(json({ query: HEALTH, variables: true })), status: 400, code: BAD },
  // wrong types of the other members
  { name: 'query a number', req: post(json({ query: 1 })), status: 400, code: BAD },
  { name: 'query an array', req: post(json({ query: [HEALTH] })), status: 400, code: BAD },
  { name: 'query an object', req: post(json({ query: { $ne: 1 } })), status: 400, code: BAD },
  { name: 'query 10,000 deep', req: post(`{"query":${deepObject(10_000)}}`), status: 400, code: BAD },
  { name: 'query null', req: post(json({ query: null })), status: 400, code: BAD },
  { name: 'no query at all', req: post(json({})), status: 400, code: BAD },
  {
    name: 'operationName a number',
    req: post(json({ query: HEALTH, operationName: 42 })),
    status: 400,
    code: BAD,
  },
  {
    name: 'operationName of 90 KB',
    req: post(json({ query: HEALTH, operationName: `A${'x'.repeat(90 * 1024)}` })),
    status: 400,
    code: BAD,
  },
  {
    name: 'extensions a string',
    req: post(json({ query: HEALTH, extensions: '{}' })),
    status: 400,
    code: BAD,
  },
  {
    name: 'extensions an array',
    req: post(json({ query: HEALTH, extensions: [1] })),
    status: 400,
    code: BAD,
  },
  // bytes that are not UTF-8: decoded with U+FFFD, so the JSON or the document no longer parses
  { name: 'bytes 0xff 0xfe before the JSON', req: post(bytes([0xff, 0xfe], ok)), status: 400, code: BAD },
  {
    name: 'bytes 0xff 0xfe inside the query',
    req: post(bytes('{"query":"{ health ', [0xff, 0xfe], '}"}')),
    status: 400,
    code: PARSE,
  },
  // invalid JSON: the body parser's 400, reworded by the HTTP error handler
  { name: 'truncated JSON', req: post('{"query":"{ hea'), status: 400, code: BAD },
  { name: 'trailing comma', req: post(`{"query":"${HEALTH}",}`), status: 400, code: BAD },
  { name: 'NaN', req: post(`{"query":"${HEALTH}","variables":{"a":NaN}}`), status: 400, code: BAD },
  { name: 'a lone {', req: post('{'), status: 400, code: BAD },
  { name: 'an empty body', req: post(''), status: 400, code: BAD },
  { name: 'JSON null', req: post('null'), status: 400, code: BAD },
  { name: 'a JSON string', req: post('"{ health }"'), status: 400, code: BAD },
  { name: 'a JSON number', req: post('1'), status: 400, code: BAD },
  // batching is off in production
  { name: 'a JSON array (batch)', req: post(json([{ query: HEALTH }])), status: 400, code: BAD },
  { name: 'an empty JSON array', req: post('[]'), status: 400, code: BAD },
  {
    name: 'arrays 10,000 deep',
    req: post(`${'['.repeat(10_000)}${']'.repeat(10_000)}`),
    status: 400,
    code: BAD,
  },
  // content types a browser sends cross-site without a preflight: CSRF prevention
  {
    name: 'content-type text/plain',
    req: post(ok, { 'content-type': 'text/plain' }),
    status: 400,
    code: BAD,
  },
  {
    name: 'content-type application/x-www-form-urlencoded',
    req: post('query=%7B%20health%20%7D', { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 400,
    code: BAD,
  },
  {
    name: 'content-type multipart/form-data',
    req: post('x', { 'content-type': 'multipart/form-data; boundary=x' }),
    status: 400,
    code: BAD,
  },
  {
    name: 'content-type application/graphql',
    req: post(HEALTH, { 'content-type': 'application/graphql' }),
    status: 400,
    code: BAD,
  },
  {
    name: 'charset utf-16 on a UTF-8 body',
    req: post(ok, { 'content-type': 'application/json; charset=utf-16' }),
    status: 400,
    code: BAD,
  },
  {
    name: 'charset latin1',
    req: post(ok, { 'content-type': 'application/json; charset=latin1' }),
    status: 415,
    code: BAD,
  },
  // content encodings
  {
    name: 'gzip header, body not gzip',
    req: post(ok, { 'content-encoding': 'gzip' }),
    status: 400,
    code: BAD,
  },
  {
    name: 'deflate header, body not deflate',
    req: post(ok, { 'content-encoding': 'deflate' }),
    status: 400,
    code: BAD,
  },
  {
    name: 'an unknown content-encoding',
    req: post(ok, { 'content-encoding': 'xyz' }),
    status: 415,
    code: BAD,
  },
  // size
  {
    name: 'a 2 MB body',
    req: post(json({ query: HEALTH, pad: 'a'.repeat(2 * 1024 * 1024) })),
    status: 413,
    code: BAD,
  },
  // the document itself
  {
    name: 'a NUL and a BEL in the query',
    req: post(json({ query: '{ health \u0000\u0007 }' })),
    status: 400,
    code: PARSE,
  },
  {
    name: 'a control character inside a name',
    req: post(json({ query: '{ he\u0001alth }' })),
    status: 400,
    code: PARSE,
  },
  { name: 'a query of whitespace only', req: post(json({ query: ' \n\t\r ' })), status: 400, code: PARSE },
  { name: 'an empty query', req: post(json({ query: '' })), status: 400, code: BAD },
  // GET
  { name: 'GET without a query', req: get({}), status: 400, code: BAD },
  { name: 'GET with whitespace as the query', req: get({ query: '   ' }), status: 400, code: PARSE },
  {
    name: 'GET with variables not JSON',
    req: get({ query: HEALTH, variables: '{' }),
    status: 400,
    code: BAD,
  },
  {
    name: 'GET with variables an array',
    req: get({ query: HEALTH, variables: '[1]' }),
    status: 400,
    code: BAD,
  },
  {
    name: 'GET with extensions not JSON',
    req: get({ query: HEALTH, extensions: '{' }),
    status: 400,
    code: BAD,
  },
  {
    name: 'GET with the query twice',
    req: { method: 'GET', qs: 'query=%7Bhealth%7D&query=%7Bhealth%7D' },
    status: 400,
    code: BAD,
  },
  {
    name: 'GET with bytes 0xff 0xfe as the query',
    req: { method: 'GET', qs: 'query=%FF%FE' },
    status: 400,
    code: PARSE,
  },
];

async function send(t: TestApp, req: Request): Promise<RawResponse> {
  if (req.method === 'GET') {
    return raw(`${t.url}/graphql?${req.qs ?? ''}`, {
      headers: { ...VIA_HTTPS_PROXY, 'apollo-require-preflight': 'true', ...req.headers },
    });
  }
  return raw(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...VIA_HTTPS_PROXY, ...req.headers },
    ...(req.body === undefined ? {} : { body: req.body }),
  });
}

interface ErrorBody {
  data?: unknown;
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
}

describe('malformed requests to /graphql (production): a coded 4xx, nothing leaked, nothing crashed', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd();
  });
  after(() => t.stop());

  const internalErrors = (from: number) => t.logs.slice(from).filter((l) => Number(l.level) >= 50);

  for (const row of CORPUS) {
    it(`${row.name} → ${row.status} ${row.code}`, async () => {
      const logsBefore = t.logs.length;
      const res = await send(t, row.req);
      assert.equal(res.status, row.status, `status for ${res.text.slice(0, 300)}`);
      let body: ErrorBody;
      try {
        body = JSON.parse(res.text) as ErrorBody;
      } catch {
        assert.fail(`not a JSON body: ${res.text.slice(0, 300)}`);
      }
      assert.ok(Array.isArray(body.errors) && body.errors.length > 0, res.text);
      const [error] = body.errors;
      assert.equal(typeof error?.message, 'string', res.text);
      assert.ok(CONTRACT_CODES.has(String(error?.extensions?.code)), `a contract code: ${res.text}`);
      assert.equal(error?.extensions?.code, row.code, res.text);
      assert.equal(body.data ?? null, null, 'no data');
      assert.deepEqual(leaks(res.text), [], res.text.slice(0, 300));
      assert.deepEqual(FORBIDDEN.filter((p) => p.test(res.text)).map(String), [], res.text.slice(0, 300));
      assert.deepEqual(internalErrors(logsBefore), [], 'no internal error logged');
    });
  }

  // Served, deliberately, and asserted so a change is a decision. JSON.parse keeps the last of
  // duplicate keys; the body is parsed once (bodyLimit) and every protection and Apollo read that
  // same object, so the value checked is the value executed: no parser differential inside the app.
  it('duplicate keys: the last wins, for the protections and for execution alike', async () => {
    const served = await send(t, post(`{"query":"${HEALTH}","query":"{ __typename }"}`));
    assert.equal(served.status, 200, served.text);
    assert.deepEqual((JSON.parse(served.text) as { data: unknown }).data, { __typename: 'Query' });
    // a refused value first, a good one last: served (the limit saw the good one)…
    const lastGood = await send(
      t,
      post(`{"query":"${HEALTH}","variables":${deepObject(50)},"variables":{}}`),
    );
    assert.equal(lastGood.status, 200, lastGood.text);
    // …and the other way round: refused (the limit saw the bad one, execution never ran)
    const lastBad = await send(t, post(`{"query":"${HEALTH}","variables":{},"variables":${deepObject(50)}}`));
    assert.equal(lastBad.status, 400, lastBad.text);
    assert.equal((JSON.parse(lastBad.text) as ErrorBody).errors?.[0]?.extensions?.code, BAD);
  });

  // The GraphQL grammar lists U+FEFF as an ignored token, and RFC 8259 lets a parser ignore a BOM
  // before the JSON text: both are served like the same request without it.
  it('a BOM at the start of the query, or before the JSON body, is ignored', async () => {
    for (const req of [post(json({ query: `\uFEFF${HEALTH}` })), post(`\uFEFF${ok}`)]) {
      const res = await send(t, req);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual((JSON.parse(res.text) as { data: unknown }).data, { health: 'ok' });
    }
  });

  it('control: the well-formed request, plain and gzip-encoded, is served', async () => {
    for (const req of [post(ok), post(gzipSync(ok), { 'content-encoding': 'gzip' })]) {
      const res = await send(t, req);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual((JSON.parse(res.text) as { data: unknown }).data, { health: 'ok' });
    }
  });
});
