import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { LOGOUT_EVERYWHERE, registerUser, VIEWER, type Session } from '../helpers/users.js';
import { signHs256 } from './auth-helpers.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { parseConfig } from '../../src/config.js';

const ISSUER = 'secure-graphql-api';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Asserts the whole request was refused with 401 UNAUTHENTICATED (never a silent anonymous). */
async function assertRefused(t: TestApp, headers: Record<string, string>, reason?: string) {
  const before = securityEvents(t, 'auth_failure').length;
  const res = await t.gql(VIEWER, {}, { ...fromIp(randomIp()), ...headers });
  assert.equal(res.status, 401, res.text);
  assert.equal(codeOf(res), 'UNAUTHENTICATED');
  assert.equal(res.body.data, undefined, 'no data at all: the request is refused, not downgraded');
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  const events = securityEvents(t, 'auth_failure').slice(before);
  assert.equal(events.length, 1, 'one auth_failure security event');
  if (reason) assert.equal(events[0]?.reason, reason);
  assert.doesNotMatch(JSON.stringify(events), /eyJ/, 'the token never reaches the log');
}

describe('access tokens (HS256)', () => {
  let t: TestApp;
  let alice: Session;
  let kid: string;
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (overrides: jose.JWTPayload = {}): jose.JWTPayload => ({
    sub: alice.id,
    jti: randomUUID(),
    ver: 0,
    iss: ISSUER,
    aud: ISSUER,
    iat: now(),
    nbf: now(),
    exp: now() + 600,
    ...overrides,
  });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  before(async () => {
    t = await startApp({ env: TRUSTING_PROXY });
    alice = await registerUser(t);
    const header = jose.decodeProtectedHeader(alice.accessToken);
    assert.equal(header.alg, 'HS256');
    kid = String(header.kid);
  });
  after(() => t?.stop());

  it('issues a 15-minute token with iss, aud, sub, jti, iat, nbf, exp, kid', async () => {
    const payload = jose.decodeJwt(alice.accessToken);
    assert.equal(payload.iss, ISSUER);
    assert.equal(payload.aud, ISSUER);
    assert.equal(payload.sub, alice.id);
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    assert.equal(Number(payload.exp) - Number(payload.iat), 15 * 60);
    assert.equal(payload.nbf, payload.iat);
    assert.ok(kid.length >= 8);
    const res = await t.gql(VIEWER, {}, alice.headers);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data?.viewer, { id: alice.id, email: alice.email });
  });

  it('control: a token the test signs with the right secret and claims is accepted', async () => {
    const token = await signHs256(TEST_JWT_SECRET, claims(), { alg: 'HS256', typ: 'JWT', kid });
    const res = await t.gql(VIEWER, {}, bearer(token));
    assert.equal(res.status, 200);
    assert.equal((res.body.data?.viewer as { id: string }).id, alice.id);
  });

  it('no credentials: anonymous, viewer is null', async () => {
    const res = await t.gql(VIEWER, {}, fromIp(randomIp()));
    assert.equal(res.status, 200);
    assert.equal(res.body.data?.viewer, null);
  });

  it('refuses alg "none" (with and without a signature part)', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claims())}`;
    await assertRefused(t, bearer(`${unsigned}.`), 'malformed');
    await assertRefused(t, bearer(`${unsigned}.AAAA`), 'invalid_token');
  });

  it('refuses HS/RS confusion: an RS256 token under our kid', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new jose.SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .sign(privateKey);
    await assertRefused(t, bearer(token), 'invalid_token');
  });

  // jose refuses "none" and RS256-with-an-HMAC-key by itself; only `algorithms: [alg]` stops
  // another HMAC algorithm keyed with the very same secret.
  const signWith = (alg: string) =>
    new jose.SignJWT(claims())
      .setProtectedHeader({ alg, typ: 'JWT', kid })
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));

  for (const alg of ['HS384', 'HS512']) {
    it(`pins the algorithm: ${alg} with our own secret, kid and valid claims is refused`, async () => {
      await assertRefused(t, bearer(await signWith(alg)), 'invalid_token');
    });
  }

  it('pins the algorithm, control: the same claims, kid and secret under HS256 are accepted', async () => {
    // Proves the HS384/HS512 refusals are about the algorithm alone.
    const res = await t.gql(VIEWER, {}, { ...fromIp(randomIp()), ...bearer(await signWith('HS256')) });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body.data?.viewer as { id: string }).id, alice.id);
  });

  it('refuses a token signed with another secret (our kid, and no kid)', async () => {
    const other = 'another-secret-that-is-long-enough-0123456789';
    await assertRefused(t, bearer(await signHs256(other, claims(), { alg: 'HS256', typ: 'JWT', kid })));
    await assertRefused(t, bearer(await signHs256(other, claims())));
  });

  it('refuses an expired token', async () => {
    const token = await signHs256(
      TEST_JWT_SECRET,
      claims({ iat: now() - 3600, nbf: now() - 3600, exp: now() - 60 }),
      {
        alg: 'HS256',
        typ: 'JWT',
        kid,
      },
    );
    await assertRefused(t, bearer(token), 'invalid_token');
  });

  it('refuses a token that is not yet valid', async () => {
    const token = await signHs256(TEST_JWT_SECRET, claims({ nbf: now() + 600, exp: now() + 1200 }), {
      alg: 'HS256',
      typ: 'JWT',
      kid,
    });
    await assertRefused(t, bearer(token), 'invalid_token');
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    const header = { alg: 'HS256', typ: 'JWT', kid };
    await assertRefused(t, bearer(await signHs256(TEST_JWT_SECRET, claims({ iss: 'evil' }), header)));
    await assertRefused(t, bearer(await signHs256(TEST_JWT_SECRET, claims({ aud: 'other-api' }), header)));
  });

  it('refuses a token without sub (or with a sub that is not one of our ids)', async () => {
    const header = { alg: 'HS256', typ: 'JWT', kid };
    const { sub: _sub, ...noSub } = claims();
    await assertRefused(t, bearer(await signHs256(TEST_JWT_SECRET, noSub, header)), 'invalid_token');
    await assertRefused(t, bearer(await signHs256(TEST_JWT_SECRET, claims({ sub: "x' OR 1=1" }), header)));
    await assertRefused(
      t,
      bearer(await signHs256(TEST_JWT_SECRET, claims({ sub: randomUUID() }), header)),
      'unknown_user',
    );
  });

  it('refuses malformed and ambiguous credentials, and oversized headers before any crypto', async () => {
    await assertRefused(t, { authorization: 'Bearer not-a-jwt' }, 'malformed');
    await assertRefused(t, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 'malformed');
    await assertRefused(
      t,
      { authorization: `Bearer ${'a'.repeat(3000)}.${'b'.repeat(3000)}.c` },
      'oversized',
    );
    await assertRefused(t, { 'x-api-key': `sgk_${'A'.repeat(200)}` }, 'oversized');
    await assertRefused(t, { ...alice.headers, 'x-api-key': 'sgk_x' }, 'ambiguous');
  });

  it('a user who logged out everywhere: every outstanding access token fails at once', async () => {
    const bob = await registerUser(t);
    const second = await t.gql(
      'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
      { input: { email: bob.email, password: bob.password } },
      fromIp(bob.ip),
    );
    const otherToken = (second.body.data?.login as { accessToken: string }).accessToken;
    assert.equal((await t.gql(VIEWER, {}, bearer(otherToken))).status, 200);

    const out = await t.gql(LOGOUT_EVERYWHERE, {}, bob.headers);
    assert.equal(out.status, 200);
    assert.equal(out.body.data?.logoutEverywhere, true);

    await assertRefused(t, bob.headers, 'revoked_token');
    await assertRefused(t, bearer(otherToken), 'revoked_token');
    // A fresh login works again (with the new token version).
    const again = await t.gql(
      'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
      { input: { email: bob.email, password: bob.password } },
      fromIp(bob.ip),
    );
    const fresh = (again.body.data?.login as { accessToken: string }).accessToken;
    const res = await t.gql(VIEWER, {}, bearer(fresh));
    assert.equal(res.status, 200);
    assert.equal((res.body.data?.viewer as { id: string }).id, bob.id);
  });

  it('serves no JWKS in HS256 mode (nothing public to publish)', async () => {
    const res = await fetch(`${t.url}/.well-known/jwks.json`);
    assert.equal(res.status, 404);
  });
});

describe('key rotation with JWT_PREVIOUS_SECRETS', () => {
  const OLD = TEST_JWT_SECRET;
  const NEW = 'the-new-secret-after-rotation-0123456789abcdef';

  it('accepts tokens of the previous secret, signs new ones with the current key, and drops the old key when it is removed', async () => {
    const first = await startApp({ env: TRUSTING_PROXY, keepData: true });
    let user: Session;
    try {
      user = await registerUser(first);
    } finally {
      await first.stop();
    }
    const dataDir = first.dataDir;
    const rotated = await startApp({
      env: { ...TRUSTING_PROXY, JWT_SECRET: NEW, JWT_PREVIOUS_SECRETS: OLD },
      dataDir,
      keepData: true,
    });
    try {
      const old = await rotated.gql(VIEWER, {}, user.headers);
      assert.equal(old.status, 200, 'a token signed with the previous secret still works');
      assert.equal((old.body.data?.viewer as { id: string }).id, user.id);
      const login = await rotated.gql(
        'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
        { input: { email: user.email, password: user.password } },
        fromIp(user.ip),
      );
      const fresh = (login.body.data?.login as { accessToken: string }).accessToken;
      assert.notEqual(
        jose.decodeProtectedHeader(fresh).kid,
        jose.decodeProtectedHeader(user.accessToken).kid,
      );
      await jose.jwtVerify(fresh, new TextEncoder().encode(NEW)); // signed with the new secret
    } finally {
      await rotated.stop();
    }
    const retired = await startApp({ env: { ...TRUSTING_PROXY, JWT_SECRET: NEW }, dataDir });
    try {
      const res = await retired.gql(VIEWER, {}, user.headers);
      assert.equal(res.status, 401, 'once the old secret is removed its tokens fail');
      assert.equal(codeOf(res), 'UNAUTHENTICATED');
    } finally {
      await retired.stop();
    }
  });
});

describe('asymmetric mode (EdDSA) and /.well-known/jwks.json', () => {
  let t: TestApp;
  let user: Session;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  before(async () => {
    t = await startApp({ env: { ...TRUSTING_PROXY, JWT_ALG: 'EdDSA', JWT_PRIVATE_KEY: pem } });
    user = await registerUser(t);
  });
  after(() => t?.stop());

  it('signs EdDSA tokens that verify against the published JWKS', async () => {
    assert.equal(jose.decodeProtectedHeader(user.accessToken).alg, 'EdDSA');
    const res = await fetch(`${t.url}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    const jwks = (await res.json()) as { keys: jose.JWK[] };
    assert.equal(jwks.keys.length, 1);
    const key = jwks.keys[0];
    assert.equal(key?.kty, 'OKP');
    assert.equal(key?.kid, jose.decodeProtectedHeader(user.accessToken).kid);
    assert.equal(key?.d, undefined, 'never the private part');
    const { payload } = await jose.jwtVerify(user.accessToken, jose.createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: ISSUER,
    });
    assert.equal(payload.sub, user.id);
    const viewer = await t.gql(VIEWER, {}, user.headers);
    assert.equal(viewer.status, 200);
    assert.equal((viewer.body.data?.viewer as { id: string }).id, user.id);
  });

  it('refuses RS/HS confusion: an HS256 token keyed with the public key', async () => {
    const kid = String(jose.decodeProtectedHeader(user.accessToken).kid);
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: user.id,
      jti: randomUUID(),
      ver: 0,
      iss: ISSUER,
      aud: ISSUER,
      iat: now,
      nbf: now,
      exp: now + 600,
    };
    for (const secret of [
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      JSON.stringify(publicKey.export({ format: 'jwk' })),
    ]) {
      const forged = await signHs256(secret, claims, { alg: 'HS256', typ: 'JWT', kid });
      await assertRefused(t, { authorization: `Bearer ${forged}` }, 'invalid_token');
    }
  });
});

describe('asymmetric key rotation with JWT_PREVIOUS_PUBLIC_KEYS', () => {
  const ed = () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return {
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  };
  const service = (privatePem: string, previous?: string) =>
    createTokenService(
      parseConfig({
        NODE_ENV: 'test',
        JWT_ALG: 'EdDSA',
        JWT_PRIVATE_KEY: privatePem,
        ...(previous === undefined ? {} : { JWT_PREVIOUS_PUBLIC_KEYS: previous }),
      }),
    );
  const userId = randomUUID();

  it('a token signed with the previous key still verifies, and both keys are published', async () => {
    const old = ed();
    const current = ed();
    const { token } = await (await service(old.privatePem)).sign(userId, 0);
    const rotated = await service(current.privatePem, old.publicPem);
    assert.equal((await rotated.verify(token)).sub, userId);
    const kids = rotated.jwks().keys.map((k) => k.kid);
    assert.equal(kids.length, 2);
    assert.ok(kids.includes(String(jose.decodeProtectedHeader(token).kid)));
    // New tokens are signed with the current key.
    const fresh = await rotated.sign(userId, 0);
    assert.notEqual(jose.decodeProtectedHeader(fresh.token).kid, jose.decodeProtectedHeader(token).kid);
  });

  it('once the previous key is removed, its tokens fail', async () => {
    const old = ed();
    const current = ed();
    const { token } = await (await service(old.privatePem)).sign(userId, 0);
    await assert.rejects((await service(current.privatePem)).verify(token));
  });

  it('refuses a previous key of another kind at start-up, and the variable in HS256 mode', async () => {
    const current = ed();
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    await assert.rejects(service(current.privatePem, p256), /JWT_PREVIOUS_PUBLIC_KEYS/);
    assert.throws(
      () => parseConfig({ NODE_ENV: 'test', JWT_PREVIOUS_PUBLIC_KEYS: current.publicPem }),
      /JWT_PREVIOUS_PUBLIC_KEYS: applies to JWT_ALG=EdDSA or ES256 only/,
    );
  });
});
