import { generateApiKeySecret } from '../../auth/api-key-secrets.js';
import type { ApiKeyRow, CreatedApiKeyModel } from '../../db/rows.js';
import { notFound } from '../../errors.js';
import { assertCan } from '../../policy/policy.js';
import type { Repositories } from '../../repositories.js';
import type { RequestScope } from '../../scope.js';
import { parseInput } from '../../validation.js';
import { apiKeyId, createApiKeyInput } from './api-keys.inputs.js';

export function createApiKeysService(repos: Repositories) {
  const ownerOf = (scope: RequestScope): string => {
    assertCan(scope.viewer, 'apikey:manage', null);
    if (scope.viewer.kind !== 'user') throw notFound('API key');
    return scope.viewer.userId;
  };
  return {
    async list(scope: RequestScope): Promise<ApiKeyRow[]> {
      return repos.apiKeys.listByUser(ownerOf(scope));
    },
    /** The secret is returned this once; only its SHA-256 and a display prefix are stored. */
    async create(scope: RequestScope, input: unknown): Promise<CreatedApiKeyModel> {
      const userId = ownerOf(scope);
      const data = parseInput(createApiKeyInput, input, 'input');
      const { secret, displayPrefix, hash } = generateApiKeySecret();
      const apiKey = await repos.apiKeys.create({
        userId,
        name: data.name,
        prefix: displayPrefix,
        keyHash: hash,
        scopes: data.scopes,
      });
      return { apiKey, secret };
    },
    /** Someone else's key answers NOT_FOUND, exactly like a key that does not exist. */
    async revoke(scope: RequestScope, args: { id: string }): Promise<boolean> {
      const userId = ownerOf(scope);
      const { id } = parseInput(apiKeyId, args);
      const key = await repos.apiKeys.findById(id);
      if (!key) throw notFound('API key');
      assertCan(scope.viewer, 'apikey:manage', key, { hideAs: 'API key' });
      await repos.apiKeys.revoke(id, userId);
      return true;
    },
  };
}
