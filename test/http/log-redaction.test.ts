import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Logger } from 'pino';
import type { TestApp } from '../helpers/app.js';
import { createLogger, REDACT_PATHS } from '../../src/logger.js';
import { raw, startDev } from './http-helpers.js';

interface Gql {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
  setCookies: string[];
  requestId: string | null;
}

const REFRESH_COOKIE = /^(__Host-sgql_refresh)=([^;]+)/;

describe('security audit log: credentials never reach the log output', () => {
  let t: TestApp;
  before(async () => {
    // debug level: whatever the app logs at any level is searched.
    t = await startDev({ env: { LOG_LEVEL: 'debug' } });
  });
  after(() => t.stop());

  async function gql(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<Gql> {
    const res = await raw(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: res.status,
      body: JSON.parse(res.text) as Gql['body'],
      setCookies: res.headers.getSetCookie(),
      requestId: res.headers.get('x-request-id'),
    };
  }
  const refreshCookieOf = (r: Gql) =>
    r.setCookies
      .map((c) => REFRESH_COOKIE.exec(c))
      .find((m) => m && m[2] !== '')
      ?.slice(1, 3) as [string, string] | undefined;

  it('a full register / login / refresh / API-key flow logs no password, token, cookie or key', async () => {
    const secrets: string[] = [];
    const keep = (label: string, value: unknown) => {
      assert.equal(typeof value, 'string', `${label} is present`);
      assert.ok((value as string).length >= 12, `${label} is long enough to search for`);
      secrets.push(value as string);
      return value as string;
    };
    const email = `log-${randomBytes(5).toString('hex')}@example.com`;
    const password = keep('password', `Pw-${randomBytes(12).toString('hex')}`);
    const wrongPassword = keep('wrong password', `Wrong-${randomBytes(12).toString('hex')}`);

    const reg = await gql('mutation Register($input: RegisterInput!) { register(input: $input) }', {
      input: { email, password, name: 'Log Test' },
    });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    // Development writes the verification link to the log on purpose (there is no mail): the one
    // credential allowed there, and only in development.
    await t.app.idle();
    const link = t.logs.find((l) => typeof l.verificationLink === 'string')?.verificationLink;
    assert.equal(typeof link, 'string', 'the development log has the verification link');
    const verified = await gql(
      'mutation Verify($token: String!) { verifyEmail(token: $token) { accessToken } }',
      { token: new URL(String(link)).hash.replace(/^#token=/, '') },
    );
    keep(
      'verifyEmail access token',
      (verified.body.data?.verifyEmail as { accessToken?: string }).accessToken,
    );

    // A failed login: the wrong password travels in variables and the failure is logged.
    const bad = await gql('mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }', {
      input: { email, password: wrongPassword },
    });
    assert.equal(bad.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

    const login = await gql('mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }', {
      input: { email, password },
    });
    const access = keep(
      'login access token',
      (login.body.data?.login as { accessToken?: string }).accessToken,
    );
    const auth = { authorization: `Bearer ${access}` };

    // Refresh and token reuse are always covered: a login that sets no refresh cookie is a failure
    // here, not a reason to skip the steps that put the most tokens on the wire.
    const cookie = refreshCookieOf(login) ?? refreshCookieOf(verified);
    assert.ok(cookie, 'login (or verifyEmail) sets the refresh cookie');
    keep('refresh cookie', cookie[1]);
    const refreshed = await gql(
      'mutation Refresh { refreshSession { accessToken } }',
      {},
      { cookie: `${cookie[0]}=${cookie[1]}` },
    );
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    keep(
      'refreshed access token',
      (refreshed.body.data?.refreshSession as { accessToken?: string } | undefined)?.accessToken,
    );
    const next = refreshCookieOf(refreshed);
    assert.ok(next, 'refresh rotates the cookie');
    keep('rotated refresh cookie', next[1]);
    // Replaying the rotated-away cookie (token reuse) is refused and logged, without the token.
    const replay = await gql(
      'mutation Refresh { refreshSession { accessToken } }',
      {},
      { cookie: `${cookie[0]}=${cookie[1]}` },
    );
    assert.equal(replay.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.ok(
      t.logs.some((l) => l.requestId === replay.requestId && l.event === 'token_reuse'),
      'token reuse logged',
    );

    const created = await gql(
      'mutation Key($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }',
      { input: { name: 'log test', scopes: ['PRODUCTS_READ'] } },
      auth,
    );
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const apiKey = keep('api key', (created.body.data?.createApiKey as { secret?: string }).secret);

    const viaKey = await gql('query Cat { products(first: 1) { totalCount } }', {}, { 'x-api-key': apiKey });
    assert.equal(viaKey.status, 200, JSON.stringify(viaKey.body));

    // Refused credentials are logged as auth failures, never with the credential itself.
    const forgedKey = keep(
      'forged api key',
      `sgk_${randomBytes(32).toString('base64url').replace(/[-_]/g, 'a')}`,
    );
    const refusedKey = await gql('{ __typename }', {}, { 'x-api-key': forgedKey });
    assert.equal(refusedKey.status, 401);
    const tampered = keep('tampered token', `${access.slice(0, -4)}AAAA`);
    const refusedToken = await gql('{ __typename }', {}, { authorization: `Bearer ${tampered}` });
    assert.equal(refusedToken.status, 401);

    // The log is not empty: the refusals above were written, with request id, ip and event type.
    for (const id of [refusedKey.requestId, refusedToken.requestId]) {
      const line = t.logs.find((l) => l.requestId === id && l.event === 'auth_failure');
      assert.ok(line, `auth_failure logged for ${id}`);
      assert.equal(line.security, true);
      assert.ok(typeof line.ip === 'string' && line.ip.length > 0);
    }
    assert.ok(
      t.logs.some((l) => l.requestId === bad.requestId && l.event === 'auth_failure'),
      'failed login logged',
    );

    const text = t.rawLogs.join('\n');
    assert.ok(text.length > 0);
    for (const secret of secrets) {
      assert.equal(text.includes(secret), false, `a secret (${secret.slice(0, 6)}…) appears in the log`);
    }
  });
});

/** The project's logger writing into memory: every line it writes, as written. */
function capturingLogger(): { log: Logger; out: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { log: createLogger('info', sink), out: () => lines.join('') };
}

/** One step of a pino redaction path: an object key, an array index, or a `*` wildcard. */
type Step = { key: string } | { index: number } | { wildcard: true };

/**
 * Splits a pino (fast-redact) path into steps: `a.b`, `a["x-y"]`, `a['x']`, `a[0]`, `a.*`, `a[*]`.
 * Anything else throws, so a new path form gets a parser case instead of a silent skip.
 */
function stepsOf(path: string): Step[] {
  const steps: Step[] = [];
  const step = /(?:^|\.)([^.[\]"'*]+)|(?:^|\.)\*|\["([^"]*)"\]|\['([^']*)'\]|\[(\d+)\]|\[\*\]/y;
  while (step.lastIndex < path.length) {
    const m = step.exec(path);
    if (!m) throw new Error(`unsupported redaction path syntax: ${path}`);
    const [, plain, doubleQuoted, singleQuoted, index] = m;
    const key = plain ?? doubleQuoted ?? singleQuoted;
    if (key !== undefined) steps.push({ key });
    else if (index !== undefined) steps.push({ index: Number(index) });
    else steps.push({ wildcard: true });
  }
  return steps;
}

/**
 * The concrete keys that place a value at `path`: a wildcard becomes a key no configured path
 * names, so the value is redacted by the wildcard and not by some other, literal path.
 */
function concreteKeys(path: string): (string | number)[] {
  return stepsOf(path).map((s, i) => ('key' in s ? s.key : 'index' in s ? s.index : `anyKey${i}`));
}

/** An object holding `value` at `keys` (arrays where a step is an index). */
function objectAt(keys: readonly (string | number)[], value: unknown): Record<string, unknown> {
  let node: unknown = value;
  for (const key of [...keys].reverse()) {
    if (typeof key === 'number') {
      const array: unknown[] = [];
      array[key] = node;
      node = array;
    } else {
      node = { [key]: node };
    }
  }
  return node as Record<string, unknown>;
}

function valueAt(root: unknown, keys: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

describe('REDACT_PATHS: credentials are removed by logger configuration', () => {
  it('headers, cookies, variables and payload fields are replaced by [redacted]', () => {
    const { log, out: output } = capturingLogger();
    const s = {
      bearer: `Bearer eyJ${randomBytes(20).toString('hex')}`,
      cookie: `__Host-sgql_refresh=${randomBytes(20).toString('hex')}`,
      apiKey: `sgk_${randomBytes(20).toString('hex')}`,
      password: `pw-${randomBytes(20).toString('hex')}`,
      token: `tok-${randomBytes(20).toString('hex')}`,
    };
    log.info({
      req: { headers: { authorization: s.bearer, cookie: s.cookie, 'x-api-key': s.apiKey } },
      res: { headers: { 'set-cookie': s.cookie } },
      variables: {
        input: { email: 'a@example.com', password: s.password, newPassword: s.password },
        token: s.token,
      },
      accessToken: s.token,
      refreshToken: s.token,
      secret: s.apiKey,
    });
    const out = output();
    for (const [name, value] of Object.entries(s)) assert.equal(out.includes(value), false, `${name} leaked`);
    assert.match(out, /\[redacted\]/);
    // Not everything is redacted: the log stays useful.
    assert.match(out, /a@example\.com/);
  });

  it('a nested authorization value (an upstream call logged under any key) never reaches the output', () => {
    const { log, out } = capturingLogger();
    const secret = `secret-upstream-${randomBytes(16).toString('hex')}`;
    log.info({ upstream: { authorization: secret, url: 'https://upstream.example.com' } }, 'upstream call');
    const line = out();
    assert.equal(line.includes(secret), false, 'the upstream authorization leaked');
    const parsed = JSON.parse(line) as { upstream?: { authorization?: unknown; url?: unknown } };
    assert.equal(parsed.upstream?.authorization, '[redacted]');
    assert.equal(parsed.upstream?.url, 'https://upstream.example.com');
  });

  it('the path parser understands every configured path (no path is left out of the table)', () => {
    assert.ok(REDACT_PATHS.length > 0);
    for (const path of REDACT_PATHS) assert.ok(stepsOf(path).length > 0, path);
    assert.deepEqual(concreteKeys('req.headers["x-api-key"]'), ['req', 'headers', 'x-api-key']);
    assert.deepEqual(concreteKeys("*.list[0]['set-cookie']"), ['anyKey0', 'list', 0, 'set-cookie']);
    assert.deepEqual(concreteKeys('a[*].b.*'), ['a', 'anyKey1', 'b', 'anyKey3']);
  });

  // One case per configured path, not a sample: a secret placed exactly at that path is censored.
  for (const path of REDACT_PATHS) {
    it(`redacts ${path}`, () => {
      const { log, out } = capturingLogger();
      const keys = concreteKeys(path);
      const secret = `secret-${randomBytes(16).toString('hex')}`;
      log.info(objectAt(keys, secret), 'redaction case');
      const line = out();
      assert.equal(line.includes(secret), false, `the secret at ${path} leaked: ${line}`);
      assert.equal(valueAt(JSON.parse(line), keys), '[redacted]', `no censor at ${path}: ${line}`);
    });
  }
});
