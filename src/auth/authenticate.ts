import type { Request } from 'express';
import { AuthenticationError } from '../errors.js';
import { hashApiKey, looksLikeApiKey, MAX_API_KEY_LENGTH } from './api-key-secrets.js';
import type { ApiKeyUsageBuffer } from './api-key-usage.js';
import type { ApiKeyDirectory, UserDirectory } from './ports.js';
import type { TokenService } from './tokens.js';
import { ANONYMOUS, type Viewer } from './viewer.js';

/** Longest Authorization header we look at: anything longer is refused before any crypto. */
const MAX_AUTHORIZATION_LENGTH = 4096;
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/** Extra bearer-token verifier (an external OIDC issuer) tried for tokens it recognises. */
export interface ExternalVerifier {
  handles(token: string): boolean;
  /** Resolves to the local user id for a valid token (and its `iat`, in seconds); throws for an invalid one. */
  verify(token: string): Promise<{ userId: string; tokenId: string; issuedAt: number }>;
}

export interface AuthenticatorDeps {
  users: Pick<UserDirectory, 'findCredentialsById'>;
  apiKeys: Pick<ApiKeyDirectory, 'findActiveByHash'>;
  tokens: TokenService;
  apiKeyUsage: ApiKeyUsageBuffer;
  external?: ExternalVerifier | undefined;
}

/** Whether the request carries credentials at all (authenticate() decides whether they are good). */
export function carriesCredentials(req: Request): boolean {
  return req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined;
}

/**
 * Turns a request's credentials into a Viewer, once per request. No credentials: anonymous.
 * Bad credentials: AuthenticationError (401 for the whole request), never a silent downgrade.
 */
export function createAuthenticator({ users, apiKeys, tokens, apiKeyUsage, external }: AuthenticatorDeps) {
  async function fromBearer(header: string): Promise<Viewer> {
    if (header.length > MAX_AUTHORIZATION_LENGTH) throw new AuthenticationError('oversized');
    const match = BEARER.exec(header);
    if (!match?.[1]) throw new AuthenticationError('malformed');
    const token = match[1];
    if (external?.handles(token)) {
      const { userId, tokenId, issuedAt } = await external.verify(token).catch(() => {
        throw new AuthenticationError('invalid_token');
      });
      const user = await users.findCredentialsById(userId);
      if (!user) throw new AuthenticationError('unknown_user');
      // logoutEverywhere reaches tokens we did not sign through their issue time. `iat` has whole
      // seconds: a token of the same second as the logout is refused too (the safe side).
      const notBefore = user.tokensNotBefore;
      if (notBefore && issuedAt <= Math.floor(notBefore.getTime() / 1000)) {
        throw new AuthenticationError('revoked_token');
      }
      return { kind: 'user', userId: user.id, role: user.role, tokenId };
    }
    const claims = await tokens.verify(token).catch(() => {
      throw new AuthenticationError('invalid_token');
    });
    // Role and token version come from the database, not the token: a demoted user or one who
    // logged out everywhere loses access at once, on every instance.
    const user = await users.findCredentialsById(claims.sub);
    if (!user) throw new AuthenticationError('unknown_user');
    if (user.tokenVersion !== claims.ver) throw new AuthenticationError('revoked_token');
    return { kind: 'user', userId: user.id, role: user.role, tokenId: claims.jti };
  }

  async function fromApiKey(secret: string): Promise<Viewer> {
    if (secret.length > MAX_API_KEY_LENGTH) throw new AuthenticationError('oversized');
    if (!looksLikeApiKey(secret)) throw new AuthenticationError('malformed');
    const key = await apiKeys.findActiveByHash(hashApiKey(secret));
    if (!key) throw new AuthenticationError('unknown_api_key');
    apiKeyUsage.mark(key.id);
    return { kind: 'apiKey', keyId: key.id, userId: key.userId, role: key.ownerRole, scopes: key.scopes };
  }

  return {
    async authenticate(req: Request): Promise<Viewer> {
      const authorization = req.headers.authorization;
      const apiKey = req.headers['x-api-key'];
      if (authorization !== undefined && apiKey !== undefined) throw new AuthenticationError('ambiguous');
      if (authorization !== undefined) return fromBearer(authorization);
      if (apiKey !== undefined) {
        if (typeof apiKey !== 'string') throw new AuthenticationError('malformed');
        return fromApiKey(apiKey);
      }
      return ANONYMOUS;
    },
  };
}
