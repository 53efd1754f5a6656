import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { createOidcVerifier } from '../../src/auth/oidc-verifier.js';
import { createCredentialsRepository } from '../../src/modules/identity/credentials.repository.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { codeOf } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { LOGOUT_EVERYWHERE, REGISTER, registerUser, VIEWER } from '../helpers/users.js';
import { startViewerProbe } from '../helpers/viewer.js';
import { signHs256 } from './auth-helpers.js';

const AUDIENCE = 'shop-api';

/** A tiny OpenID provider on loopback: discovery document + JWKS, and a signing key for tokens. */
async function startIssuer() {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256');
  const kid = 'idp-key-1';
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const hits = { jwks: 0, discovery: 0 };
  let hang = false;
  let issuer = '';
  const server = http.createServer((req, res) => {
    if (hang) return; // never answers: the app's timeout must cut it off
    if (req.url === '/jwks.json') {
      hits.jwks++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    } else if (req.url === '/.well-known/openid-configuration') {
      hits.discovery++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks.json` }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Defaults first, then the test's claims: a test can override any of them (aud, exp, iss…).
  const sign = (claims: jose.JWTPayload, key: jose.CryptoKey | jose.KeyObject = privateKey, k = kid) => {
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({
      iss: issuer,
      aud: AUDIENCE,
      iat: now,
      exp: now + 300,
      email: 'ext@example.org',
      email_verified: true,
      name: 'External Person',
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: k, typ: 'JWT' })
      .sign(key);
  };
  return {
    get issuer() {
      return issuer;
    },
    hits,
    setHang(value: boolean) {
      hang = value;
    },
    sign,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
type Issuer = Awaited<ReturnType<typeof startIssuer>>;

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, ...fromIp(randomIp()) });

/** The address the verifier gives a user whose email it does not take: random (see oidc-verifier.ts). */
const PLACEHOLDER = /^oidc-[0-9a-f]{32}@users\.invalid$/;
/** The placeholder as it used to be computed, from the issuer and the subject: anyone could. */
const derivedPlaceholderOf = (issuer: string, sub: string) =>
  `oidc-${createHash('sha256').update(`${issuer}\n${sub}`).digest('hex').slice(0, 32)}@users.invalid`;

describe('external OIDC issuer (loopback JWKS server)', () => {
  let idp: Issuer;
  let t: TestApp;

  before(async () => {
    idp = await startIssuer();
    t = await startApp({
      env: {
        ...TRUSTING_PROXY,
        OIDC_ISSUER: idp.issuer,
        OIDC_AUDIENCE: AUDIENCE,
        OIDC_JWKS_URL: `${idp.issuer}/jwks.json`,
      },
    });
  });
  after(async () => {
    await t?.stop();
    await idp?.stop();
  });

  it('accepts a token of the issuer, creates the user on first sight, and maps the same sub to the same user', async () => {
    const first = await t.gql(VIEWER, {}, bearer(await idp.sign({ sub: 'ext-user-1' })));
    assert.equal(first.status, 200, first.text);
    const viewer = first.body.data?.viewer as { id: string; email: string };
    assert.match(viewer.id, /^[0-9a-f-]{36}$/);
    assert.equal(viewer.email, 'ext@example.org');
    const second = await t.gql(VIEWER, {}, bearer(await idp.sign({ sub: 'ext-user-1' })));
    assert.equal((second.body.data?.viewer as { id: string }).id, viewer.id, 'same sub, same local user');
    // An address nobody holds: were it ext@example.org, the placeholder would come from the
    // address being taken, not from it being unverified.
    const other = await t.gql(
      VIEWER,
      {},
      bearer(await idp.sign({ sub: 'ext-user-2', email: 'ext-2@example.org', email_verified: false })),
    );
    const otherViewer = other.body.data?.viewer as { id: string; email: string };
    assert.notEqual(otherViewer.id, viewer.id);
    assert.match(otherViewer.email, PLACEHOLDER, 'an unverified email is not taken');
    assert.equal(idp.hits.jwks, 1, 'the key set is fetched once and cached');
  });

  it("the issuer's name claim is stored in the safe form on first sign-in, like a registered name", async () => {
    for (const [sub, name, expected] of [
      ['ext-name-markup', '<img src=x onerror=alert(1)>Eve & <b>co</b> <3', 'Eve &amp; co &lt;3'],
      ['ext-name-only-markup', '<script>alert(1)</script>', 'User'],
      ['ext-name-control', '\u202Eadmin\u0000', 'admin'],
    ] as const) {
      const res = await t.gql(
        '{ viewer { id name } }',
        {},
        bearer(await idp.sign({ sub, email: `${sub}@example.org`, name })),
      );
      assert.equal(res.status, 200, res.text);
      assert.equal((res.body.data?.viewer as { name: string }).name, expected);
    }
  });

  it('an unverified (false or missing email_verified) address nobody holds is not claimed and stays free', async () => {
    for (const [sub, claims] of [
      ['ext-unverified-false', { email_verified: false }],
      ['ext-unverified-missing', { email_verified: undefined }],
    ] as const) {
      // A fresh address: only the email_verified check stands between it and the new user.
      const email = `unverified-${randomBytes(5).toString('hex')}@example.org`;
      const res = await t.gql(VIEWER, {}, bearer(await idp.sign({ sub, email, ...claims })));
      assert.equal(res.status, 200, res.text);
      const viewer = res.body.data?.viewer as { id: string; email: string };
      assert.match(viewer.email, PLACEHOLDER, `${sub}: the placeholder, not ${email}`);
      const holders = await t.app.db.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = $1', [
        email,
      ]);
      assert.deepEqual(holders, [], `${sub}: nobody holds ${email}`);
      // Its real owner can still sign up with it (register, then verifyEmail).
      const owner = await registerUser(t, { email });
      const me = await t.gql(VIEWER, {}, owner.headers);
      assert.equal((me.body.data?.viewer as { email: string } | undefined)?.email, email, me.text);
    }
  });

  it('never takes over a local account through a matching email', async () => {
    const local = await registerUser(t);
    const res = await t.gql(VIEWER, {}, bearer(await idp.sign({ sub: 'ext-takeover', email: local.email })));
    assert.equal(res.status, 200);
    const viewer = res.body.data?.viewer as { id: string; email: string };
    assert.notEqual(viewer.id, local.id);
    assert.match(viewer.email, /@users\.invalid$/);
  });

  it('the placeholder address is random, and register refuses its domain like any invalid address', async () => {
    const viewerOf = async (sub: string) => {
      const res = await t.gql(VIEWER, {}, bearer(await idp.sign({ sub, email: undefined })));
      assert.equal(res.status, 200, res.text);
      return res.body.data?.viewer as { id: string; email: string };
    };
    const first = await viewerOf('ext-placeholder-1');
    const second = await viewerOf('ext-placeholder-2');
    for (const [sub, viewer] of [
      ['ext-placeholder-1', first],
      ['ext-placeholder-2', second],
    ] as const) {
      assert.match(viewer.email, PLACEHOLDER);
      assert.notEqual(viewer.email, derivedPlaceholderOf(idp.issuer, sub), 'not computed from (iss, sub)');
    }
    assert.notEqual(first.email, second.email);

    const register = (email: string) =>
      t.gql(
        REGISTER,
        { input: { email, password: 'placeholder-squatter-1', name: 'Squatter' } },
        fromIp(randomIp()),
      );
    const invalid = await register('not-an-address');
    assert.equal(codeOf(invalid), 'BAD_USER_INPUT');
    for (const email of [
      first.email,
      first.email.toUpperCase(),
      'someone@example.invalid',
      'x@users.invalid.',
    ]) {
      const res = await register(email);
      assert.equal(res.status, invalid.status, `${email}: ${res.text}`);
      assert.equal(codeOf(res), 'BAD_USER_INPUT', email);
      assert.deepEqual(res.body.errors, invalid.body.errors, `${email}: the answer to an invalid address`);
    }
    // The user behind the placeholder still signs in as themselves.
    assert.deepEqual(await viewerOf('ext-placeholder-1'), first);
  });

  it('registering the address computed for an identity before its first sign-in does not lock it out', async () => {
    const sub = `ext-squatted-${randomBytes(4).toString('hex')}`;
    const squat = await t.gql(
      REGISTER,
      {
        input: {
          email: derivedPlaceholderOf(idp.issuer, sub),
          password: 'placeholder-squatter-1',
          name: 'Squatter',
        },
      },
      fromIp(randomIp()),
    );
    assert.equal(codeOf(squat), 'BAD_USER_INPUT', squat.text);
    // No verified email: the placeholder is the only address the identity can get.
    const res = await t.gql(VIEWER, {}, bearer(await idp.sign({ sub, email: undefined })));
    assert.equal(res.status, 200, res.text);
    assert.match((res.body.data?.viewer as { email: string }).email, PLACEHOLDER);
  });

  it("logoutEverywhere revokes the issuer's tokens issued before it (401 revoked_token); later ones work", async () => {
    const sub = `ext-revoke-${randomBytes(4).toString('hex')}`;
    const before = await idp.sign({ sub });
    const bystander = await idp.sign({ sub: `${sub}-bystander` });
    const signedIn = await t.gql(VIEWER, {}, bearer(before));
    assert.equal(signedIn.status, 200, signedIn.text);
    const id = (signedIn.body.data?.viewer as { id: string }).id;
    assert.equal((await t.gql(VIEWER, {}, bearer(bystander))).status, 200);

    const out = await t.gql(LOGOUT_EVERYWHERE, {}, bearer(before));
    assert.deepEqual(out.body.data, { logoutEverywhere: true }, out.text);

    const now = Math.floor(Date.now() / 1000);
    // The token used to log out, and one issued a minute earlier but presented only now.
    for (const token of [before, await idp.sign({ sub, iat: now - 60 })]) {
      const events = securityEvents(t, 'auth_failure').length;
      const res = await t.gql(VIEWER, {}, bearer(token));
      assert.equal(res.status, 401, res.text);
      assert.equal(codeOf(res), 'UNAUTHENTICATED');
      assert.deepEqual(
        securityEvents(t, 'auth_failure')
          .slice(events)
          .map((e) => e.reason),
        ['revoked_token'],
      );
    }
    // A token issued after the logout (a later second: `iat` has whole seconds) signs in again.
    const after = await t.gql(VIEWER, {}, bearer(await idp.sign({ sub, iat: now + 1 })));
    assert.equal(after.status, 200, after.text);
    assert.equal((after.body.data?.viewer as { id: string }).id, id);
    // Only this user: another identity's older token still works.
    assert.equal((await t.gql(VIEWER, {}, bearer(bystander))).status, 200);
    // A token claiming to be issued in the future would outlive any logout: refused.
    const future = await t.gql(VIEWER, {}, bearer(await idp.sign({ sub, iat: now + 3600, exp: now + 7200 })));
    assert.equal(future.status, 401, future.text);
  });

  it('refuses wrong audience, expired, unknown key, foreign key and HMAC tokens with 401', async () => {
    const { privateKey: foreign } = await jose.generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const refused = [
      await idp.sign({ sub: 'x', aud: 'another-api' }),
      await idp.sign({ sub: 'x', iat: now - 3600, exp: now - 600 }),
      await idp.sign({ sub: 'x' }, foreign), // right kid, wrong key
      await idp.sign({ sub: 'x' }, foreign, 'unknown-kid'),
      await idp.sign({ sub: '' }),
      // HS256 with the issuer's name: an HMAC algorithm is never accepted for an external issuer.
      await signHs256('a-guessable-or-public-secret-0123456789', {
        iss: idp.issuer,
        aud: AUDIENCE,
        sub: 'x',
        iat: now,
        exp: now + 300,
      }),
    ];
    for (const token of refused) {
      const res = await t.gql(VIEWER, {}, bearer(token));
      assert.equal(res.status, 401, res.text);
      assert.equal(codeOf(res), 'UNAUTHENTICATED');
    }
    // A token from the issuer's key but naming another issuer goes to our own verifier and fails.
    const res = await t.gql(
      VIEWER,
      {},
      bearer(await idp.sign({ sub: 'x', iss: 'https://elsewhere.example' })),
    );
    assert.equal(res.status, 401);
  });

  // Over HTTP a wrong-iss token is stopped twice (routing by `handles`, then jwtVerify's issuer
  // option), so dropping either layer alone passes the test above: each is pinned here.
  it("the verifier itself refuses the issuer's key signing for another issuer, and does not claim the token", async () => {
    const verifier = createOidcVerifier({
      issuer: idp.issuer,
      audience: AUDIENCE,
      jwksUrl: `${idp.issuer}/jwks.json`,
      users: createCredentialsRepository(t.app.db),
    });
    const token = await idp.sign({ sub: 'x', iss: 'https://elsewhere.example' });
    assert.equal(verifier.handles(token), false);
    await assert.rejects(
      verifier.verify(token),
      (e: unknown) => e instanceof jose.errors.JWTClaimValidationFailed && e.claim === 'iss',
    );
  });

  // The client id selects a client profile but the API never shows it: read from the verifier and
  // from the viewer the app's authenticator makes, with this issuer's real key set.
  it('the viewer of an issuer token carries its client: azp, else client_id, else none', async () => {
    const verifier = createOidcVerifier({
      issuer: idp.issuer,
      audience: AUDIENCE,
      jwksUrl: `${idp.issuer}/jwks.json`,
      users: createCredentialsRepository(t.app.db),
    });
    const probe = await startViewerProbe(t, verifier);
    try {
      const long = 'c'.repeat(201);
      const cases: [jose.JWTPayload, string | undefined][] = [
        [{ azp: 'shop-web' }, 'shop-web'],
        [{ client_id: 'partner-batch' }, 'partner-batch'],
        [{ azp: 'shop-web', client_id: 'partner-batch' }, 'shop-web'],
        [{}, undefined],
        [{ client_id: 'c'.repeat(200) }, 'c'.repeat(200)],
        [{ client_id: long }, undefined],
        [{ client_id: 42 }, undefined],
        [{ client_id: '' }, undefined],
        // A present but unusable azp is not passed over for client_id: the token names its client.
        [{ azp: long, client_id: 'partner-batch' }, undefined],
        [{ azp: ['shop-web'], client_id: 'partner-batch' }, undefined],
      ];
      for (const [claims, expected] of cases) {
        const token = await idp.sign({ sub: 'ext-client', ...claims });
        const label = JSON.stringify(claims).slice(0, 80);
        assert.equal((await verifier.verify(token)).clientId, expected, `verifier: ${label}`);
        const viewer = await probe.viewerOf(bearer(token));
        assert.equal(viewer.kind, 'user', label);
        assert.equal(viewer.kind === 'user' ? viewer.clientId : 'not a user', expected, `viewer: ${label}`);
        assert.equal('clientId' in viewer, expected !== undefined, `absent, not empty: ${label}`);
      }
      // Our own tokens name no client, whatever they carry.
      const local = await registerUser(t);
      const own = await probe.viewerOf(local.headers);
      assert.deepEqual(own.kind === 'user' && { id: own.userId, client: 'clientId' in own }, {
        id: local.id,
        client: false,
      });
    } finally {
      await probe.stop();
    }
  });

  it('local access tokens still work beside the issuer: only tokens naming it are sent to it', async () => {
    const local = await registerUser(t);
    const res = await t.gql(VIEWER, {}, local.headers);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body.data?.viewer as { id: string } | null)?.id, local.id);
  });
});

describe('external OIDC issuer with discovery', () => {
  let idp: Issuer;
  let t: TestApp;

  before(async () => {
    idp = await startIssuer();
    t = await startApp({ env: { ...TRUSTING_PROXY, OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: AUDIENCE } });
  });
  after(async () => {
    await t?.stop();
    await idp?.stop();
  });

  it('times out on a hanging issuer (401, not a hung request), then discovers the JWKS once it answers', async () => {
    idp.setHang(true);
    const started = Date.now();
    const hung = await t.gql(VIEWER, {}, bearer(await idp.sign({ sub: 'disc-1' })));
    assert.equal(hung.status, 401);
    assert.ok(Date.now() - started < 8000, 'cut off by the timeout');
    idp.setHang(false);
    const ok = await t.gql(VIEWER, {}, bearer(await idp.sign({ sub: 'disc-1' })));
    assert.equal(ok.status, 200, ok.text);
    assert.ok((ok.body.data?.viewer as { id: string }).id);
    assert.ok(idp.hits.discovery >= 1 && idp.hits.jwks === 1);
  });
});
