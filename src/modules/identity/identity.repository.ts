import type { Queryable } from '../../db/client.js';
import { createApiKeysRepository } from './api-keys.repository.js';
import { createCredentialsRepository } from './credentials.repository.js';

/** Identity's data: account credentials and reset tokens, and API keys. */
export function createIdentityRepository(db: Queryable) {
  return {
    credentials: createCredentialsRepository(db),
    apiKeys: createApiKeysRepository(db),
  };
}
export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
