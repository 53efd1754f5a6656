import { generateApiKeySecret } from '../../auth/api-key-secrets.js';
import { badUserInput, notFound } from '../../errors.js';
import type { RequestScope } from '../../graphql/request-scope.js';
import { assertCan } from '../../policy/policy.js';
import { parseInput } from '../../validation.js';
import { MAX_ACTIVE_API_KEYS, type ApiKeysRepository } from './api-keys.repository.js';
import { apiKeyId, createApiKeyInput } from './identity.inputs.js';
import type { ApiKeyRow, CreatedApiKeyModel } from './identity.model.js';

/** API-key management: the signed-in owner only, never through an API key. */
export function createApiKeysService(apiKeys: ApiKeysRepository) {
  const ownerOf = (scope: RequestScope): string => {
    assertCan(scope.viewer, 'apikey:manage', null);
    if (scope.viewer.kind !== 'user') throw notFound('API key');
    return scope.viewer.userId;
  };
  return {
    async list(scope: RequestScope): Promise<ApiKeyRow[]> {
      return apiKeys.listByUser(ownerOf(scope));
    },
    /** The secret is returned this once; only its SHA-256 and a display prefix are stored. */
    async create(scope: RequestScope, input: unknown): Promise<CreatedApiKeyModel> {
      const userId = ownerOf(scope);
      const data = parseInput(createApiKeyInput, input, 'input');
      const { secret, displayPrefix, hash } = generateApiKeySecret();
      const apiKey = await apiKeys.create({
        userId,
        name: data.name,
        prefix: displayPrefix,
        keyHash: hash,
        scopes: data.scopes,
      });
      // The bound of the `apiKeys` list (its @listSize) rests on this maximum.
      if (!apiKey)
        throw badUserInput(
          { input: `At most ${MAX_ACTIVE_API_KEYS} active API keys: revoke one first.` },
          `At most ${MAX_ACTIVE_API_KEYS} active API keys: revoke one first.`,
        );
      return { apiKey, secret };
    },
    /** Someone else's key answers NOT_FOUND, exactly like a key that does not exist. */
    async revoke(scope: RequestScope, args: { id: string }): Promise<boolean> {
      const userId = ownerOf(scope);
      const { id } = parseInput(apiKeyId, args);
      const key = await apiKeys.findById(id);
      if (!key) throw notFound('API key');
      assertCan(scope.viewer, 'apikey:manage', key, { hideAs: 'API key' });
      await apiKeys.revoke(id, userId);
      return true;
    },
  };
}
