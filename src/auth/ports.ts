import type { Role, Scope } from '../generated/schema-types.js';

// The ports through which the auth mechanisms reach users and API keys. They are declared here, in
// the mechanisms' own terms, so src/auth/ imports no module; the identity module's repository
// implements them and app composition passes it in.

/** A user as authentication sees them: who, with which role, and what ends their tokens. */
export interface UserCredentials {
  id: string;
  email: string;
  role: Role;
  /** null for an account without a password (one created through an external OIDC issuer). */
  passwordHash: string | null;
  /** Access tokens carry the version they were issued at; a bump revokes every older one. */
  tokenVersion: number;
  /** The last bump's time: an external issuer's tokens issued (`iat`) before it are revoked. */
  tokensNotBefore: Date | null;
}

/** The users authentication reads (bearer tokens, external identities). */
export interface UserDirectory {
  findCredentialsById(id: string): Promise<UserCredentials | null>;
  /**
   * The local user of an external identity (issuer, subject), created on first sight with the
   * first email of `emails` that is free; null when none is.
   */
  findOrCreateByOidc(
    issuer: string,
    subject: string,
    emails: readonly string[],
    name: string,
  ): Promise<{ id: string } | null>;
}

/** An API key as authentication sees it: whose it is, and what it may do. */
export interface ApiKeyCredentials {
  id: string;
  userId: string;
  ownerRole: Role;
  scopes: readonly Scope[];
  /** The client tier an operator gave the key (it selects the key's client profile); null: none. */
  tier: string | null;
}

/** The API keys authentication reads, and where it records their use. */
export interface ApiKeyDirectory {
  /** An active (unrevoked) key by the SHA-256 of its secret. */
  findActiveByHash(keyHash: string): Promise<ApiKeyCredentials | null>;
  /** One write for a whole batch of "last used" marks. */
  markUsed(ids: readonly string[], at: Date): Promise<void>;
}
