import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { sameDatabase, startApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { LOGOUT_EVERYWHERE, registerUser, VIEWER, type Session } from '../helpers/users.js';
import { signHs256 } from './auth-helpers.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { parseConfig } from '../../src/config.js';

const ISSUER = 'secure-graphql-api';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** The kid tokens carried before issue 14: a slice of sha256(secret), placed in every header. */
const legacyKid = (secret: string) => createHash('sha256').update(secret).digest('base64url').slice(0, 16);
/** Every 8-character window of sha256(secret), hex and base64url: none may appear in a header. */
function secretDigestPieces(secret: string): string[] {
  const digest = createHash('sha256').update(secret).digest();
  const pieces: string[] = [];
  for (const text of [digest.toString('hex'), digest.toString('base64url')])
    for (let i = 0; i + 8 <= text.length; i++) pieces.push(text.slice(i, i + 8));
  return pieces;
}

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
  // Tokens issued before this change carry this kid; it must be ignored (rollout), never required.
  const kid = legacyKid(TEST_JWT_SECRET);
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
    assert.equal(jose.decodeProtectedHeader(alice.accessToken).alg, 'HS256');
  });
  after(() => t?.stop());

  it('issues a 15-minute token with iss, aud, sub, jti, iat, nbf, exp', async () => {
    const payload = jose.decodeJwt(alice.accessToken);
    assert.equal(payload.iss, ISSUER);
    assert.equal(payload.aud, ISSUER);
    assert.equal(payload.sub, alice.id);
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    assert.equal(Number(payload.exp) - Number(payload.iat), 15 * 60);
    assert.equal(payload.nbf, payload.iat);
    const res = await t.gql(VIEWER, {}, alice.headers);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data?.viewer, { id: alice.id, email: alice.email });
  });

  it('the header carries no kid, nor anything computed from the secret', () => {
    assert.deepEqual(jose.decodeProtectedHeader(alice.accessToken), { alg: 'HS256', typ: 'JWT' });
    const [encoded = ''] = alice.accessToken.split('.');
    const decoded = Buffer.from(encoded, 'base64url').toString();
    for (const piece of secretDigestPieces(TEST_JWT_SECRET)) {
      assert.ok(!decoded.includes(piece) && !encoded.includes(piece), `header holds ${piece}`);
    }
  });

  it('control: a token the test signs with the right secret and claims is accepted', async () => {
    const token = await signHs256(TEST_JWT_SECRET, claims());
    const res = await t.gql(VIEWER, {}, bearer(token));
    assert.equal(res.status, 200);
    assert.equal((res.body.data?.viewer as { id: string }).id, alice.id);
  });

  it('rollout: a token still carrying the old secret-derived kid verifies (kid is ignored)', async () => {
    for (const header of [
      { alg: 'HS256', typ: 'JWT', kid },
      { alg: 'HS256', typ: 'JWT', kid: 'any-other-label' },
    ]) {
      const res = await t.gql(VIEWER, {}, bearer(await signHs256(TEST_JWT_SECRET, claims(), header)));
      assert.equal(res.status, 200, res.text);
      assert.equal((res.body.data?.viewer as { id: string }).id, alice.id);
    }
  });

  it('no credentials: anonymous, viewer is null', async () => {
    const res = await t.gql(VIEWER, {}, fromIp(randomIp()));
    assert.equal(res.status, 200);
    assert.equal(res.body.data?.viewer, null);
  });

  // Each confusion attempt without a kid (like our tokens) and with the legacy kid (like older ones).
  const kids = [{}, { kid }];

  it('refuses alg "none" (with and without a signature part)', async () => {
    for (const extra of kids) {
      const unsigned = `${b64({ alg: 'none', typ: 'JWT', ...extra })}.${b64(claims())}`;
      await assertRefused(t, bearer(`${unsigned}.`), 'malformed');
      await assertRefused(t, bearer(`${unsigned}.AAAA`), 'invalid_token');
    }
  });

  it('refuses HS/RS confusion: an RS256 token (no kid, and the legacy kid)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const extra of kids) {
      const token = await new jose.SignJWT(claims())
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...extra })
        .sign(privateKey);
      await assertRefused(t, bearer(token), 'invalid_token');
    }
  });

  // jose refuses "none" and RS256-with-an-HMAC-key by itself; only `algorithms: [alg]` stops
  // another HMAC algorithm keyed with the very same secret.
  const signWith = (alg: string, extra: { kid?: string } = {}) =>
    new jose.SignJWT(claims())
      .setProtectedHeader({ alg, typ: 'JWT', ...extra })
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));

  for (const alg of ['HS384', 'HS512']) {
    it(`pins the algorithm: ${alg} with our own secret and valid claims is refused (no kid, legacy kid)`, async () => {
      for (const extra of kids) await assertRefused(t, bearer(await signWith(alg, extra)), 'invalid_token');
    });
  }

  it('pins the algorithm, control: the same claims and secret under HS256 are accepted', async () => {
    // Proves the HS384/HS512 refusals are about the algorithm alone.
    for (const extra of kids) {
      const token = await signWith('HS256', extra);
      const res = await t.gql(VIEWER, {}, { ...fromIp(randomIp()), ...bearer(token) });
      assert.equal(res.status, 200, res.text);
      assert.equal((res.body.data?.viewer as { id: string }).id, alice.id);
    }
  });

  it('refuses a token signed with another secret (the legacy kid, and no kid)', async () => {
    const other = 'another-secret-that-is-long-enough-0123456789';
    await assertRefused(t, bearer(await signHs256(other, claims(), { alg: 'HS256', typ: 'JWT', kid })));
    await assertRefused(t, bearer(await signHs256(other, claims())));
  });

  it('refuses an expired token', async () => {
    const token = await signHs256(
      TEST_JWT_SECRET,
      claims({ iat: now() - 3600, nbf: now() - 3600, exp: now() - 60 }),
    );
    await assertRefused(t, bearer(token), 'invalid_token');
  });

  it('refuses a token that is not yet valid', async () => {
    const token = await signHs256(TEST_JWT_SECRET, claims({ nbf: now() + 600, exp: now() + 1200 }));
    await assertRefused(t, bearer(token), 'invalid_token');
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    const header = { alg: 'HS256', typ: 'JWT' };
    await assertRefused(t, bearer(await signHs256(TEST_JWT_SECRET, claims({ iss: 'evil' }), header)));
    await assertRefused(t, bearer(await signHs256(TEST_JWT_SECRET, claims({ aud: 'other-api' }), header)));
  });

  it('refuses a token without sub (or with a sub that is not one of our ids)', async () => {
    const header = { alg: 'HS256', typ: 'JWT' };
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
  const OLDER = 'an-older-secret-still-listed-0123456789abcdef';
  const NEW = 'the-new-secret-after-rotation-0123456789abcdef';
  const STRANGER = 'neither-current-nor-previous-0123456789abcdef';
  const claimsFor = (user: Session): jose.JWTPayload => {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: user.id,
      jti: randomUUID(),
      ver: 0,
      iss: ISSUER,
      aud: ISSUER,
      iat: now,
      nbf: now,
      exp: now + 600,
    };
  };

  it('accepts tokens of the previous secret, signs new ones with the current key, and drops the old key when it is removed', async () => {
    const first = await startApp({ env: TRUSTING_PROXY, keepData: true });
    let user: Session;
    try {
      user = await registerUser(first);
    } finally {
      await first.stop();
    }
    const reopen = sameDatabase(first);
    // OLD is not the first previous secret: every listed one is tried, in turn.
    const rotated = await startApp({
      env: { ...TRUSTING_PROXY, JWT_SECRET: NEW, JWT_PREVIOUS_SECRETS: `${OLDER},${OLD}` },
      ...reopen,
      keepData: true,
    });
    try {
      const old = await rotated.gql(VIEWER, {}, user.headers);
      assert.equal(old.status, 200, 'a token signed with the previous secret still works');
      assert.equal((old.body.data?.viewer as { id: string }).id, user.id);
      // Rollout: a token issued before kids were dropped, by the now-previous secret, still works.
      for (const [secret, kid] of [
        [OLD, legacyKid(OLD)],
        [OLDER, legacyKid(OLDER)],
        [OLD, legacyKid(NEW)],
      ] as const) {
        const token = await signHs256(secret, claimsFor(user), { alg: 'HS256', typ: 'JWT', kid });
        const res = await rotated.gql(VIEWER, {}, { authorization: `Bearer ${token}` });
        assert.equal(res.status, 200, res.text);
        assert.equal((res.body.data?.viewer as { id: string }).id, user.id);
      }
      // A secret that is neither current nor previous: refused, with or without a kid.
      for (const header of [
        { alg: 'HS256', typ: 'JWT' },
        { alg: 'HS256', typ: 'JWT', kid: legacyKid(STRANGER) },
        { alg: 'HS256', typ: 'JWT', kid: legacyKid(OLD) },
      ]) {
        const forged = await signHs256(STRANGER, claimsFor(user), header);
        await assertRefused(rotated, { authorization: `Bearer ${forged}` }, 'invalid_token');
      }
      const login = await rotated.gql(
        'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
        { input: { email: user.email, password: user.password } },
        fromIp(user.ip),
      );
      const fresh = (login.body.data?.login as { accessToken: string }).accessToken;
      assert.deepEqual(jose.decodeProtectedHeader(fresh), { alg: 'HS256', typ: 'JWT' }, 'no kid');
      await jose.jwtVerify(fresh, new TextEncoder().encode(NEW)); // signed with the new secret
    } finally {
      await rotated.stop();
    }
    const retired = await startApp({ env: { ...TRUSTING_PROXY, JWT_SECRET: NEW }, ...reopen });
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
    // The kid is the standard RFC 7638 thumbprint: any verifier can recompute it from the key.
    assert.ok(key);
    assert.equal(key.kid, await jose.calculateJwkThumbprint(key));
    assert.equal(key.kid, await jose.calculateJwkThumbprint(publicKey.export({ format: 'jwk' })));
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

describe('asymmetric key ids are RFC 7638 JWK thumbprints of the public key', () => {
  for (const [alg, pair] of [
    ['EdDSA', () => generateKeyPairSync('ed25519')],
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })],
  ] as const) {
    it(`${alg}: every published kid is the thumbprint of its JWK, the same on every instance`, async () => {
      const current = pair();
      const old = pair();
      const env = {
        NODE_ENV: 'test',
        JWT_ALG: alg,
        JWT_PRIVATE_KEY: current.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        JWT_PREVIOUS_PUBLIC_KEYS: old.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      };
      const service = await createTokenService(parseConfig(env));
      const { keys } = service.jwks();
      assert.equal(keys.length, 2);
      for (const key of keys) {
        assert.equal(key.kid, await jose.calculateJwkThumbprint(key), 'recomputable from the JWK');
        assert.equal(key.d, undefined, 'never the private part');
        assert.equal(key.alg, alg);
        assert.equal(key.use, 'sig');
      }
      const expected = [current, old].map((p) =>
        jose.calculateJwkThumbprint(p.publicKey.export({ format: 'jwk' })),
      );
      assert.deepEqual(
        keys.map((k) => k.kid),
        await Promise.all(expected),
      );
      const { token } = await service.sign(randomUUID(), 0);
      assert.equal(jose.decodeProtectedHeader(token).kid, keys[0]?.kid);
      // A second instance with the same keys derives the same kids and verifies the token.
      const other = await createTokenService(parseConfig(env));
      assert.deepEqual(other.jwks(), service.jwks());
      await other.verify(token);
      await jose.jwtVerify(token, jose.createLocalJWKSet({ keys }), { algorithms: [alg] });
    });
  }
});
