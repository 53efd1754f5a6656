import { createPrivateKey, createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import type { Config } from '../config.js';

const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
/** Small allowance for clock skew between instances and identity providers. */
export const CLOCK_TOLERANCE_SECONDS = 5;

export interface AccessClaims {
  sub: string;
  jti: string;
  /** The user's token version at issue time; logoutEverywhere bumps it, killing older tokens. */
  ver: number;
  exp: number;
}

export interface TokenService {
  readonly alg: 'HS256' | 'EdDSA' | 'ES256';
  sign(userId: string, tokenVersion: number): Promise<{ token: string; expiresAt: Date; jti: string }>;
  /** Verifies signature, algorithm, iss, aud, exp/nbf/iat and required claims; throws otherwise. */
  verify(token: string): Promise<AccessClaims>;
  /** The public keys (asymmetric mode only) for /.well-known/jwks.json. */
  jwks(): { keys: jose.JWK[] };
}

/**
 * The HS256 secret: JWT_SECRET, or in development a random one generated once and kept in
 * DATA_DIR (mode 0600) so tokens survive restarts. Production refuses to start without one.
 */
function resolveJwtSecret(config: Config): string {
  if (config.jwt.secret) return config.jwt.secret;
  if (config.isProduction) throw new Error('JWT_SECRET is required in production');
  const file = join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

const PUBLIC_KEY_PEM = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;

/** Ed25519 for EdDSA, P-256 for ES256: a key of another kind is a start-up error. */
function keyFitsAlg(key: KeyObject, alg: 'EdDSA' | 'ES256'): boolean {
  const type = key.asymmetricKeyType;
  return alg === 'EdDSA'
    ? type === 'ed25519'
    : type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

export async function createTokenService(config: Config): Promise<TokenService> {
  const { issuer, audience, alg } = config.jwt;
  // Only keys of the pinned algorithm are ever accepted: a token whose header says another alg
  // (none, RS256 with our secret as "public key", HS384 with our secret, …) fails in jwtVerify.
  let signKey: Uint8Array | jose.KeyObject;
  // HS256 tokens carry no kid. A kid derived from the secret (as before) would let anyone test a
  // guessed secret against any token's header, and a random one would differ between instances;
  // the secret is never published, so a kid would help no one. Verification tries each secret.
  let signKid: string | undefined;
  const hmacKeys: Uint8Array[] = [];
  // Asymmetric: kid (RFC 7638 thumbprint of the public key) → public key.
  const publicKeys = new Map<string, jose.KeyObject>();
  const publicJwks: jose.JWK[] = [];

  if (alg === 'HS256') {
    const encode = (secret: string) => new TextEncoder().encode(secret);
    signKey = encode(resolveJwtSecret(config));
    // Current first, then previous ones (at most 3, bounded in config.ts).
    hmacKeys.push(signKey, ...config.jwt.previousSecrets.map(encode));
  } else {
    const pem = config.jwt.privateKeyPem ?? '';
    const privateKey = createPrivateKey(pem.replace(/\\n/g, '\n'));
    // The key must fit the pinned algorithm: a mismatch is a start-up error, not a first-login one.
    if (!keyFitsAlg(privateKey, alg)) {
      throw new Error(
        `JWT_PRIVATE_KEY must be ${alg === 'EdDSA' ? 'an Ed25519' : 'a P-256 (ES256)'} private key`,
      );
    }
    const publicKey = createPublicKey(privateKey);
    signKey = privateKey;
    // Rotation: previous public keys keep verifying (and stay in the JWKS, so other services can
    // verify tokens still in flight) until the operator removes them, ≥ 15 minutes after the switch.
    const previous =
      (config.jwt.previousPublicKeysPem ?? '').replace(/\\n/g, '\n').match(PUBLIC_KEY_PEM) ?? [];
    for (const key of [publicKey, ...previous.map((block) => createPublicKey(block))]) {
      if (!keyFitsAlg(key, alg)) {
        throw new Error(
          `JWT_PREVIOUS_PUBLIC_KEYS must hold ${alg === 'EdDSA' ? 'Ed25519' : 'P-256 (ES256)'} public keys`,
        );
      }
      const jwk = await jose.exportJWK(key);
      // The standard JWK thumbprint of the public key: any service holding the JWKS can recompute it.
      const kid = await jose.calculateJwkThumbprint(jwk, 'sha256');
      signKid ??= kid;
      if (publicKeys.has(kid)) continue;
      publicKeys.set(kid, key);
      publicJwks.push({ ...jwk, kid, alg, use: 'sig' });
    }
  }

  const verifyWith = (token: string, key: Uint8Array | jose.KeyObject) =>
    jose.jwtVerify(token, key, {
      algorithms: [alg],
      issuer,
      audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'jti', 'iat', 'exp', 'nbf'],
      typ: 'JWT',
    });

  /** HS256: the first secret whose signature matches decides; any header kid is ignored. */
  async function verifyHmac(token: string): Promise<jose.JWTVerifyResult> {
    for (const key of hmacKeys) {
      try {
        return await verifyWith(token, key);
      } catch (error) {
        // Only a wrong signature moves on to the next secret; a bad alg or claim fails at once.
        if (!(error instanceof jose.errors.JWSSignatureVerificationFailed)) throw error;
      }
    }
    throw new jose.errors.JWSSignatureVerificationFailed();
  }

  return {
    alg,
    async sign(userId, tokenVersion) {
      const jti = randomUUID();
      const now = Math.floor(Date.now() / 1000);
      const exp = now + ACCESS_TOKEN_TTL_SECONDS;
      const token = await new jose.SignJWT({ ver: tokenVersion })
        .setProtectedHeader(signKid === undefined ? { alg, typ: 'JWT' } : { alg, kid: signKid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(userId)
        .setJti(jti)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(exp)
        .sign(signKey);
      return { token, expiresAt: new Date(exp * 1000), jti };
    },
    async verify(token) {
      let payload: jose.JWTPayload;
      if (alg === 'HS256') {
        ({ payload } = await verifyHmac(token));
      } else {
        const { kid } = jose.decodeProtectedHeader(token);
        const key = typeof kid === 'string' ? publicKeys.get(kid) : undefined;
        if (!key) throw new jose.errors.JWSSignatureVerificationFailed('unknown key id');
        ({ payload } = await verifyWith(token, key));
      }
      if (
        typeof payload.sub !== 'string' ||
        typeof payload.jti !== 'string' ||
        typeof payload.exp !== 'number'
      ) {
        throw new jose.errors.JWTClaimValidationFailed('malformed claims', payload);
      }
      if (!/^[0-9a-f-]{36}$/i.test(payload.sub))
        throw new jose.errors.JWTClaimValidationFailed('bad sub', payload);
      const ver = typeof payload.ver === 'number' ? payload.ver : -1;
      return { sub: payload.sub, jti: payload.jti, ver, exp: payload.exp };
    },
    jwks() {
      return { keys: publicJwks };
    },
  };
}
