import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { PROD_ORIGIN, raw, startProd, VIA_HTTPS_PROXY } from './http-helpers.js';

const BODY = JSON.stringify({ query: '{ __typename }' });

describe('CORS: exact allowlist from CORS_ORIGINS (production)', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd();
  });
  after(() => t.stop());

  const post = (origin: string | undefined) =>
    raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...VIA_HTTPS_PROXY, ...(origin ? { origin } : {}) },
      body: BODY,
    });
  const preflight = (origin: string) =>
    raw(`${t.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        ...VIA_HTTPS_PROXY,
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });

  it('a listed origin gets its own origin back, with credentials and exposed X-Request-Id', async () => {
    const res = await post(PROD_ORIGIN);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), PROD_ORIGIN);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /X-Request-Id/);
    assert.match(res.headers.get('vary') ?? '', /Origin/);
  });

  it('a request without Origin (a server, curl) is served without CORS headers, still Vary: Origin', async () => {
    const res = await post(undefined);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
    assert.equal(res.headers.get('access-control-expose-headers'), null);
    assert.match(res.headers.get('vary') ?? '', /Origin/);
  });

  for (const origin of [
    'https://evil.example',
    'https://app.example.com.evil.example', // suffix trick
    'https://evil-app.example.com',
    'http://app.example.com', // scheme downgrade
    'null', // sandboxed iframes, file://
    'http://localhost:3000', // the development default is not a production default
  ]) {
    it(`an unlisted origin (${origin}) gets no CORS header at all`, async () => {
      const res = await post(origin);
      // The server still answers (CORS is enforced by the browser), but without any header that
      // would let the browser hand the response to the calling page.
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
      assert.match(res.headers.get('vary') ?? '', /Origin/);
    });
  }

  it('a preflight from a listed origin is answered 204 and cached (Access-Control-Max-Age)', async () => {
    const res = await preflight(PROD_ORIGIN);
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), PROD_ORIGIN);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.headers.get('access-control-max-age'), '600');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET,POST');
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /Content-Type/);
  });

  it('a preflight from an unlisted origin gets no CORS header (and a 405)', async () => {
    const res = await preflight('https://evil.example');
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('access-control-allow-methods'), null);
    assert.equal(res.headers.get('access-control-max-age'), null);
  });
});

describe('CORS: production without CORS_ORIGINS allows no browser origin', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd({ env: { CORS_ORIGINS: undefined } });
  });
  after(() => t.stop());

  it('even the formerly allowed origin gets no CORS header', async () => {
    assert.equal(t.app.config.protections.cors.CORS_ORIGINS, undefined);
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...VIA_HTTPS_PROXY, origin: PROD_ORIGIN },
      body: BODY,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});
