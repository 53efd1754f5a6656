import type { Role, Scope } from '../../generated/schema-types.js';
import type { UserRow } from '../users/users.model.js';

// Row and model types of identity; codegen maps ApiKey, AuthPayload and CreatedApiKey onto them.
// key_hash is never selected into any of these shapes.

/** A user with the columns identity needs; never leaves the identity module and the auth mechanisms. */
export interface UserCredentialsRow extends UserRow {
  passwordHash: string | null;
  tokenVersion: number;
  tokensNotBefore: Date | null;
  /** Proven control of the address (verifyEmail or a password reset); password login needs it. */
  emailVerified: boolean;
}

/** @graphql ApiKey */
export interface ApiKeyRow {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  /** The client tier an operator set (admin CLI set-key-tier); null: none. */
  tier: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** An active key with its owner's role, as authentication needs it. */
export interface ApiKeyWithOwner extends ApiKeyRow {
  ownerRole: Role;
}

/** @graphql AuthPayload */
export interface AuthPayloadModel {
  accessToken: string;
  expiresAt: Date;
  user: UserRow;
}

/** @graphql CreatedApiKey */
export interface CreatedApiKeyModel {
  apiKey: ApiKeyRow;
  secret: string;
}
