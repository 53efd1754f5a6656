import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { IN_CI } from '../helpers/env.js';
import {
  PROD_MAIL,
  PROD_RESET_URL,
  PROD_SECRET,
  raw,
  startDev,
  startProd,
  VIA_HTTPS_PROXY,
} from './http-helpers.js';

const BODY = JSON.stringify({ query: '{ __typename }' });
const JSON_HEADERS = { 'content-type': 'application/json' };
const PUBLIC_ORIGIN = 'https://api.example.com:8443';

/** A plain-HTTP GET with a request target and headers fetch() would not send (forged Host, absolute form). */
function plainGet(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; location: string | undefined }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path, method: 'GET', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}

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

  it('a plain-HTTP GET without PUBLIC_ORIGIN is refused with 426 (never redirected to a Host header)', async () => {
    const res = await raw(`${t.url}/graphql?query=%7B__typename%7D`, {
      headers: { 'x-forwarded-host': 'evil.example' },
    });
    assert.equal(res.status, 426);
    assert.equal(res.headers.get('location'), null);
    const body = JSON.parse(res.text) as { errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]?.extensions.code, 'FORBIDDEN');
  });

  it('/healthz and /readyz stay reachable over plain HTTP for load-balancer probes', async () => {
    assert.equal((await raw(`${t.url}/healthz`)).status, 200);
    assert.equal((await raw(`${t.url}/readyz`)).status, 200);
  });
});

describe('HTTPS guard: redirect to the configured PUBLIC_ORIGIN', () => {
  let t: TestApp;
  before(async () => {
    t = await startProd({ env: { PUBLIC_ORIGIN: PUBLIC_ORIGIN } });
  });
  after(() => t.stop());

  it('legitimate: a plain-HTTP GET is redirected (308, no-store) to PUBLIC_ORIGIN, keeping path, query and port', async () => {
    const res = await raw(`${t.url}/graphql?query=%7B__typename%7D`);
    assert.equal(res.status, 308);
    assert.equal(res.headers.get('location'), `${PUBLIC_ORIGIN}/graphql?query=%7B__typename%7D`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.text, '');
  });

  it('legitimate: a plain-HTTP HEAD is redirected the same way', async () => {
    const res = await raw(`${t.url}/graphql`, { method: 'HEAD' });
    assert.equal(res.status, 308);
    assert.equal(res.headers.get('location'), `${PUBLIC_ORIGIN}/graphql`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  it('attack: X-Forwarded-Host from a trusted-proxy hop never reaches the Location', async () => {
    const res = await raw(`${t.url}/graphql?query=%7B__typename%7D`, {
      headers: { 'x-forwarded-host': 'evil.example' },
    });
    assert.equal(res.status, 308);
    assert.equal(res.headers.get('location'), `${PUBLIC_ORIGIN}/graphql?query=%7B__typename%7D`);
    assert.equal(res.headers.get('location')?.includes('evil.example'), false);
  });

  it('attack: a forged Host header never reaches the Location', async () => {
    const res = await plainGet(t.url, '/graphql', { host: 'evil.example' });
    assert.equal(res.status, 308);
    assert.equal(res.location, `${PUBLIC_ORIGIN}/graphql`);
  });

  it('attack: an absolute-form request target cannot choose the Location host', async () => {
    const res = await plainGet(t.url, 'http://evil.example/graphql', { host: 'evil.example' });
    assert.equal(res.location?.includes('evil.example') ?? false, false, res.location);
    if (res.location !== undefined) assert.ok(res.location.startsWith(`${PUBLIC_ORIGIN}/`), res.location);
  });

  it('a plain-HTTP POST is still refused with 426, not redirected', async () => {
    const res = await raw(`${t.url}/graphql`, { method: 'POST', headers: JSON_HEADERS, body: BODY });
    assert.equal(res.status, 426);
    assert.equal(res.headers.get('location'), null);
  });

  it('a request the proxy received over https is served, not redirected', async () => {
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...VIA_HTTPS_PROXY },
      body: BODY,
    });
    assert.equal(res.status, 200);
  });
});

describe('PUBLIC_ORIGIN must be an https origin', () => {
  for (const bad of [
    'http://api.example.com',
    'https://api.example.com/path',
    'https://user@api.example.com',
    'https://api.example.com?x=1',
    'api.example.com',
  ]) {
    it(`refuses ${bad}`, () => {
      assert.throws(
        () => parseConfig({ PUBLIC_ORIGIN: bad }),
        (e: unknown) => e instanceof ConfigError && /PUBLIC_ORIGIN/.test(e.message),
      );
    });
  }

  it('accepts https://host[:port], without a trailing slash', () => {
    assert.equal(
      parseConfig({ PUBLIC_ORIGIN: PUBLIC_ORIGIN }).protections.https.PUBLIC_ORIGIN,
      PUBLIC_ORIGIN,
    );
    assert.equal(
      parseConfig({ PUBLIC_ORIGIN: 'https://api.example.com/' }).protections.https.PUBLIC_ORIGIN,
      'https://api.example.com',
    );
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
        JWT_SECRET: PROD_SECRET,
        PASSWORD_RESET_URL: PROD_RESET_URL,
        ...PROD_MAIL,
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
