import type { Request } from 'express';
import { Kind, OperationTypeNode, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
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
  /**
   * Resolves to the local user id for a valid token (its `iat`, in seconds, and the OAuth client it
   * was issued to, when it names one); throws for an invalid one.
   */
  verify(token: string): Promise<{ userId: string; tokenId: string; issuedAt: number; clientId?: string }>;
}

export interface AuthenticatorDeps {
  users: Pick<UserDirectory, 'findCredentialsById'>;
  apiKeys: Pick<ApiKeyDirectory, 'findActiveByHash'>;
  tokens: TokenService;
  apiKeyUsage: ApiKeyUsageBuffer;
  external?: ExternalVerifier | undefined;
}

/**
 * The root fields that read nothing but the refresh cookie (docs/api.md: "refreshSession needs only the
 * cookie, a stale bearer header beside it is ignored"). A browser app refreshes after its access
 * token expired, and logs out with whatever token it holds: a 401 there would keep it from getting a
 * new token, or leave the session family alive after the user logged out. logoutEverywhere acts
 * on the account the bearer names, so it is not one of them.
 */
const COOKIE_ONLY_FIELDS: ReadonlySet<string> = new Set(['refreshSession', 'logout']);
/** A document that selects only those is a few dozen tokens; a longer one is not parsed here. */
const COOKIE_ONLY_MAX_TOKENS = 200;

/** The operation a request body would run: the one named by operationName, else the only one. */
function operationToRun(document: DocumentNode, name: unknown): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (typeof name === 'string') return operations.find((o) => o.name?.value === name);
  return operations.length === 1 ? operations[0] : undefined;
}

/**
 * Whether a POST body's operation is a mutation that selects only refresh-cookie fields (no
 * fragments, no directives: the narrowest reading). Anything else, a batch, or a document that
 * does not parse, is not one: its bad bearer is refused as before.
 */
export function selectsOnlyCookieFields(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { query, operationName } = body as { query?: unknown; operationName?: unknown };
  if (typeof query !== 'string') return false;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true, maxTokens: COOKIE_ONLY_MAX_TOKENS });
  } catch {
    return false;
  }
  const operation = operationToRun(document, operationName);
  if (operation?.operation !== OperationTypeNode.MUTATION) return false;
  if (operation.directives?.length) return false;
  return operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && !s.directives?.length && COOKIE_ONLY_FIELDS.has(s.name.value),
  );
}

/**
 * Requests whose Authorization header was refused, and with what. Kept so that the decision made
 * before the body is read (the client limit identifies callers from headers) is finished once it
 * is, without verifying the token again.
 */
const refusedBearers = new WeakMap<Request, AuthenticationError>();

/**
 * Whether this request's refused credential may still be ignored once its body is read: a POST
 * (mutations never run over GET) whose Authorization header failed for any reason but its size.
 * authenticate() decides, from the operation, when it runs again after the body parser.
 */
export function bearerFailureMayBeIgnored(req: Request): boolean {
  return req.method === 'POST' && refusedBearers.has(req);
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
      const { userId, tokenId, issuedAt, clientId } = await external.verify(token).catch(() => {
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
      // No client named: the property is absent (not undefined), as on our own tokens' viewers.
      const client = clientId === undefined ? {} : { clientId };
      return { kind: 'user', userId: user.id, role: user.role, tokenId, ...client };
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
    return {
      kind: 'apiKey',
      keyId: key.id,
      userId: key.userId,
      role: key.ownerRole,
      scopes: key.scopes,
      tier: key.tier,
    };
  }

  /**
   * A refused bearer is ignored (the request is anonymous) when the operation reads only the
   * refresh cookie. The document is parsed only here, on the failure path: a request with a good
   * bearer, or none, pays nothing for this rule. Before the body is read (`req.body` undefined),
   * the refusal stands, and is remembered for the call after the body parser.
   */
  function refusedBearer(req: Request, error: AuthenticationError): Viewer {
    if (req.method === 'POST' && req.body !== undefined && selectsOnlyCookieFields(req.body))
      return ANONYMOUS;
    throw error;
  }

  return {
    async authenticate(req: Request): Promise<Viewer> {
      const refused = refusedBearers.get(req);
      if (refused) return refusedBearer(req, refused);
      const authorization = req.headers.authorization;
      const apiKey = req.headers['x-api-key'];
      if (authorization !== undefined && apiKey !== undefined) throw new AuthenticationError('ambiguous');
      if (authorization !== undefined) {
        try {
          return await fromBearer(authorization);
        } catch (error) {
          // An oversized header is no stale token: refused whatever the operation.
          if (!(error instanceof AuthenticationError) || error.reason === 'oversized') throw error;
          refusedBearers.set(req, error);
          return refusedBearer(req, error);
        }
      }
      if (apiKey !== undefined) {
        if (typeof apiKey !== 'string') throw new AuthenticationError('malformed');
        return fromApiKey(apiKey);
      }
      return ANONYMOUS;
    },
  };
}
