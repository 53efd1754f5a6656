import { createHash, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import type { ExternalVerifier } from './authenticate.js';
import type { UserDirectory } from './ports.js';
import { toSafeName } from '../text/safe-text.js';
import { CLOCK_TOLERANCE_SECONDS } from './tokens.js';

export interface OidcVerifierOptions {
  issuer: string;
  audience: string;
  /** The issuer's JWKS; when unset it is discovered from `<issuer>/.well-known/openid-configuration`. */
  jwksUrl?: string | undefined;
  /** Maps (issuer, sub) to a local user, creating one on first sight. */
  users: Pick<UserDirectory, 'findOrCreateByOidc'>;
  /** Longest wait for the issuer's key set (or discovery document). Default 3 s. */
  timeoutMs?: number;
  /** How long a fetched key set is trusted before it is fetched again. Default 10 minutes. */
  cacheMaxAgeMs?: number;
}

// Asymmetric algorithms only: the key set is public, so accepting an HMAC algorithm would let
// anyone who read the JWKS sign tokens with it (algorithm confusion).
const OIDC_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/** Longest client id taken from a token; a longer claim is ignored rather than stored or logged. */
const MAX_CLIENT_ID_LENGTH = 200;

/**
 * The OAuth client a token was issued to, which selects its client profile: `azp` (OIDC Core §2,
 * the authorized party), else `client_id` (RFC 9068 access tokens); a claim that is no string of
 * 1 to 200 characters names none. A present but unusable `azp` is not passed over for
 * `client_id`: the token would then get the profile of a client other than the one it names.
 */
function clientOf(payload: jose.JWTPayload): { clientId?: string } {
  const claim = payload.azp !== undefined ? payload.azp : payload.client_id;
  return typeof claim === 'string' && claim.length > 0 && claim.length <= MAX_CLIENT_ID_LENGTH
    ? { clientId: claim }
    : {};
}

/**
 * Accepts bearer tokens of one external OpenID Connect issuer and maps each (issuer, sub) to a
 * local user, created on first sight. The key set is fetched through jose's remote JWKS: cached,
 * refetched on an unknown kid at most once per cooldown, with a timeout, so a slow or hostile
 * issuer cannot hang requests or make us fetch on every token.
 */
export function createOidcVerifier(options: OidcVerifierOptions): ExternalVerifier {
  const { issuer, audience, users, timeoutMs = 3000, cacheMaxAgeMs = 10 * 60_000 } = options;
  let keySet: Promise<ReturnType<typeof jose.createRemoteJWKSet>> | undefined;

  const remote = (url: string) =>
    jose.createRemoteJWKSet(new URL(url), {
      timeoutDuration: timeoutMs,
      cooldownDuration: 30_000,
      cacheMaxAge: cacheMaxAgeMs,
    });

  const discover = async (): Promise<string> => {
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!res.ok) throw new Error(`OIDC discovery failed with HTTP ${res.status}`);
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    // The document must be the issuer's own (OIDC Discovery §4.3), or tokens could be checked
    // against keys another party chose.
    if (doc.issuer !== issuer || typeof doc.jwks_uri !== 'string') {
      throw new Error('OIDC discovery document does not match the issuer');
    }
    return doc.jwks_uri;
  };

  const getKeySet = () => {
    keySet ??= (options.jwksUrl ? Promise.resolve(options.jwksUrl) : discover()).then(remote);
    // A failed discovery is retried by the next request instead of being cached for good.
    keySet.catch(() => {
      keySet = undefined;
    });
    return keySet;
  };

  return {
    handles(token) {
      try {
        return jose.decodeJwt(token).iss === issuer;
      } catch {
        return false;
      }
    },
    async verify(token) {
      const { payload } = await jose.jwtVerify(token, await getKeySet(), {
        issuer,
        audience,
        algorithms: OIDC_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const sub = payload.sub;
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) {
        throw new jose.errors.JWTClaimValidationFailed('bad sub', payload);
      }
      // A token "issued" in the future would outlive a logoutEverywhere (checked against `iat`).
      const issuedAt = payload.iat ?? 0;
      if (issuedAt > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
        throw new jose.errors.JWTClaimValidationFailed('iat in the future', payload, 'iat');
      }
      // Only an address the issuer says it verified is taken over; otherwise (or when it is taken
      // locally) the user gets a placeholder that can never receive mail: random, so nobody can
      // compute it, and under the reserved .invalid TLD (RFC 2606), which `register` refuses, so
      // nobody can take it first and leave the identity without a local user.
      const claimed =
        payload.email_verified === true &&
        typeof payload.email === 'string' &&
        payload.email.length <= 254 &&
        /^[^\s@]+@[^\s@]+$/.test(payload.email)
          ? [payload.email.toLowerCase()]
          : [];
      const placeholder = `oidc-${randomBytes(16).toString('hex')}@users.invalid`;
      // The issuer's name claim is user-entered text too: stored in the safe form, like a registered name.
      const name = typeof payload.name === 'string' ? toSafeName(payload.name, 80, 'User') : 'User';
      const user = await users.findOrCreateByOidc(issuer, sub, [...claimed, placeholder], name);
      if (!user) throw new Error('no local user for this external identity');
      const tokenId =
        typeof payload.jti === 'string' && payload.jti.length <= 128
          ? payload.jti
          : createHash('sha256').update(token).digest('base64url').slice(0, 22);
      return { userId: user.id, tokenId, issuedAt, ...clientOf(payload) };
    },
  };
}
