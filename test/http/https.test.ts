import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { IN_CI } from '../helpers/env.js';
import { raw, startDev, startProd, VIA_HTTPS_PROXY } from './http-helpers.js';

const BODY = JSON.stringify({ query: '{ __typename }' });
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('HTTPS guard: production behind a trusted proxy (TRUST_PROXY=loopback)', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd();
  });
  after(() => t.stop());

  it('a request the proxy received over https is served', async () => {
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...VIA_HTTPS_PROXY },
      body: BODY,
    });
    assert.equal(res.status, 200);
    assert.deepEqual((JSON.parse(res.text) as { data: unknown }).data, { __typename: 'Query' });
  });

  it('a plain-HTTP POST is refused with 426 FORBIDDEN (not redirected: its body already went in clear)', async () => {
    const res = await raw(`${t.url}/graphql`, { method: 'POST', headers: JSON_HEADERS, body: BODY });
    assert.equal(res.status, 426);
    assert.equal(res.headers.get('upgrade'), 'TLS/1.2, HTTP/1.1');
    const body = JSON.parse(res.text) as { data?: unknown; errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]?.extensions.code, 'FORBIDDEN');
    assert.equal(body.data, undefined);
  });

  it('a POST the proxy received over plain http (X-Forwarded-Proto: http) is refused', async () => {
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'x-forwarded-proto': 'http' },
      body: BODY,
    });
    assert.equal(res.status, 426);
  });

  it('a plain-HTTP GET is redirected (308) to the same path on https', async () => {
    const res = await raw(`${t.url}/graphql?query=%7B__typename%7D`, {
      headers: { 'x-forwarded-host': 'api.example.com' },
    });
    assert.equal(res.status, 308);
    assert.equal(res.headers.get('location'), 'https://api.example.com/graphql?query=%7B__typename%7D');
    assert.equal(res.text, '');
  });

  it('/healthz and /readyz stay reachable over plain HTTP for load-balancer probes', async () => {
    assert.equal((await raw(`${t.url}/healthz`)).status, 200);
    assert.equal((await raw(`${t.url}/readyz`)).status, 200);
  });
});

describe('HTTPS guard: production without a trusted proxy', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd({ env: { TRUST_PROXY: 'false' } });
  });
  after(() => t.stop());

  it('a client cannot fake https with its own X-Forwarded-Proto', async () => {
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...VIA_HTTPS_PROXY },
      body: BODY,
    });
    assert.equal(res.status, 426);
    assert.equal(
      (JSON.parse(res.text) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
      'FORBIDDEN',
    );
  });
});

describe('HTTPS guard is off in development', () => {
  let t: TestApp;
  before(async () => {
    t = await startDev();
  });
  after(() => t.stop());

  it('plain HTTP is served on localhost', async () => {
    const res = await raw(`${t.url}/graphql`, { method: 'POST', headers: JSON_HEADERS, body: BODY });
    assert.equal(res.status, 200);
  });
});

/** A throw-away self-signed certificate for 127.0.0.1, or a skip reason. */
function selfSignedCert(dir: string): { cert: string; key: string } | string {
  try {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return { cert, key };
  } catch {
    if (IN_CI) throw new Error('openssl is needed in CI for the native TLS test');
    return 'openssl not available';
  }
}

function httpsPost(url: string, ca: string): Promise<{ status: number; body: string; secure: boolean }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', headers: JSON_HEADERS, ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, secure: true }));
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

describe('native TLS with TLS_CERT / TLS_KEY (production, no proxy)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgql-tls-'));
  const files = selfSignedCert(dir);
  let t: TestApp | undefined;
  before(async () => {
    if (typeof files === 'string') return;
    t = await startApp({
      env: {
        NODE_ENV: 'production',
        JWT_SECRET: 'prod-secret-0123456789abcdef-0123456789abcdef-xyz',
        TLS_CERT: files.cert,
        TLS_KEY: files.key,
      },
    });
  });
  after(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'serves GraphQL over https, accepted by the HTTPS guard without any proxy',
    { skip: typeof files === 'string' ? files : false },
    async () => {
      assert.ok(t);
      assert.match(t.url, /^https:\/\//);
      const { readFileSync } = await import('node:fs');
      const ca = readFileSync((files as { cert: string }).cert, 'utf8');
      const res = await httpsPost(`${t.url}/graphql`, ca);
      assert.equal(res.status, 200, res.body);
      assert.deepEqual((JSON.parse(res.body) as { data: unknown }).data, { __typename: 'Query' });
    },
  );
});
