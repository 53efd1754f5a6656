import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { leaks, raw, startDev, startProd, VIA_HTTPS_PROXY } from './http-helpers.js';

const QUERY = JSON.stringify({ query: '{ __typename }' });
const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY };

/** The security headers of a response, as one comparable object. */
function securityHeaders(h: Headers): Record<string, string | null> {
  return {
    'content-security-policy': h.get('content-security-policy'),
    'strict-transport-security': h.get('strict-transport-security'),
    'x-content-type-options': h.get('x-content-type-options'),
    'x-frame-options': h.get('x-frame-options'),
    'referrer-policy': h.get('referrer-policy'),
    'cross-origin-resource-policy': h.get('cross-origin-resource-policy'),
    'cross-origin-opener-policy': h.get('cross-origin-opener-policy'),
    'x-powered-by': h.get('x-powered-by'),
    'cache-control': h.get('cache-control'),
  };
}

const EXPECTED = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'x-powered-by': null,
  // Answers depend on the viewer and may carry tokens: no cache may keep one.
  'cache-control': 'no-store',
};

describe('security headers, development', () => {
  let t: TestApp;
  before(async () => {
    t = await startDev();
  });
  after(() => t.stop());

  it('a GraphQL JSON response carries the full header set', async () => {
    const res = await raw(`${t.url}/graphql`, JSON_POST);
    assert.equal(res.status, 200);
    assert.deepEqual(securityHeaders(res.headers), EXPECTED);
  });

  it('error paths carry them too: unknown route, bad JSON, 405, 413', async () => {
    const cases = [
      raw(`${t.url}/nope`),
      raw(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{bad',
      }),
      raw(`${t.url}/graphql`, { method: 'DELETE' }),
      raw(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(200_000)}` }),
      }),
    ];
    for (const res of await Promise.all(cases)) {
      assert.deepEqual(securityHeaders(res.headers), EXPECTED);
    }
  });

  it('the development Sandbox page gets its own nonce CSP, still unframeable', async () => {
    const res = await raw(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(res.text)?.[1];
    assert.ok(nonce, 'the page carries a nonce');
    assert.ok(csp.includes(`script-src 'self' 'nonce-${nonce}'`), csp);
    assert.ok(csp.includes("default-src 'none'"), csp);
    assert.ok(csp.includes("frame-ancestors 'none'"), csp);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  });
});

describe('security headers, production (behind a trusted TLS proxy)', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd();
  });
  after(() => t.stop());

  it('a GraphQL JSON response carries the full header set', async () => {
    const res = await raw(`${t.url}/graphql`, {
      ...JSON_POST,
      headers: { ...JSON_POST.headers, ...VIA_HTTPS_PROXY },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(securityHeaders(res.headers), EXPECTED);
  });

  it('no landing page: a browser GET gets JSON under the strict policy, never HTML', async () => {
    const res = await raw(`${t.url}/graphql`, { headers: { accept: 'text/html', ...VIA_HTTPS_PROXY } });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(securityHeaders(res.headers), EXPECTED);
    assert.deepEqual(leaks(res.text), []);
  });
});

describe('non-GraphQL error paths answer coded JSON, never a page or a library message', () => {
  let t: TestApp;
  before(async () => {
    t = await startDev({ env: { MAX_BODY_BYTES: '2048' } });
  });
  after(() => t.stop());

  const cases: [
    string,
    (url: string) => Promise<ReturnType<typeof raw> extends Promise<infer R> ? R : never>,
    number,
    string,
  ][] = [
    ['a GraphQL request works', (u) => raw(`${u}/graphql`, JSON_POST), 200, ''],
    ['unknown route', (u) => raw(`${u}/admin/../etc/passwd`), 404, 'NOT_FOUND'],
    ['unknown route, POST', (u) => raw(`${u}/nope`, JSON_POST), 404, 'NOT_FOUND'],
    [
      'malformed JSON',
      (u) =>
        raw(`${u}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query": ',
        }),
      400,
      'BAD_USER_INPUT',
    ],
    [
      'oversized body',
      (u) =>
        raw(`${u}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(5000)}` }),
        }),
      413,
      'BAD_USER_INPUT',
    ],
    [
      'unsupported body encoding',
      (u) =>
        raw(`${u}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'br2' },
          body: QUERY,
        }),
      415,
      'BAD_USER_INPUT',
    ],
    ['method not allowed', (u) => raw(`${u}/graphql`, { method: 'PUT', body: QUERY }), 405, 'BAD_USER_INPUT'],
  ];

  for (const [name, send, status, code] of cases) {
    it(`${name} → ${status}${code ? ` ${code}` : ''}`, async () => {
      const res = await send(t.url);
      assert.equal(res.status, status, res.text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(leaks(res.text), []);
      const body = JSON.parse(res.text) as { errors?: { extensions?: { code?: string } }[] };
      if (code) assert.equal(body.errors?.[0]?.extensions?.code, code);
      else assert.equal(body.errors, undefined);
      if (status === 405) assert.equal(res.headers.get('allow'), 'GET, POST');
    });
  }
});

describe('request id', () => {
  it('without a trusted proxy, a client-sent X-Request-Id is replaced by a generated one', async () => {
    const t = await startDev();
    try {
      const res = await raw(`${t.url}/graphql`, {
        ...JSON_POST,
        headers: { ...JSON_POST.headers, 'x-request-id': 'forged-request-id-123' },
      });
      const id = res.headers.get('x-request-id') ?? '';
      assert.notEqual(id, 'forged-request-id-123');
      assert.match(id, /^[0-9a-f-]{36}$/);
    } finally {
      await t.stop();
    }
  });

  it('behind a trusted proxy its X-Request-Id is kept; a malformed one is still replaced', async () => {
    const t = await startProd();
    try {
      const ok = await raw(`${t.url}/graphql`, {
        ...JSON_POST,
        headers: { ...JSON_POST.headers, ...VIA_HTTPS_PROXY, 'x-request-id': 'proxy-id-0001' },
      });
      assert.equal(ok.headers.get('x-request-id'), 'proxy-id-0001');
      const bad = await raw(`${t.url}/graphql`, {
        ...JSON_POST,
        headers: { ...JSON_POST.headers, ...VIA_HTTPS_PROXY, 'x-request-id': 'bad id\twith "stuff"' },
      });
      assert.match(bad.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    } finally {
      await t.stop();
    }
  });
});
