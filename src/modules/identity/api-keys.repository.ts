import type { ApiKeyDirectory } from '../../auth/ports.js';
import type { Queryable } from '../../db/client.js';
import type { Scope } from '../../generated/schema-types.js';
import type { ApiKeyRow, ApiKeyWithOwner } from './identity.model.js';

/** Active keys a user may hold at once (createApiKey refuses more). */
export const MAX_ACTIVE_API_KEYS = 20;
/** Keys one `apiKeys` list returns: every active key, then the most recently revoked. */
export const API_KEY_LIST_LIMIT = 50;

const COLUMNS = `id, user_id AS "userId", name, prefix, scopes, tier, created_at AS "createdAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

/** API keys (only the SHA-256 of a secret is stored). Implements the auth mechanisms' ApiKeyDirectory port. */
export function createApiKeysRepository(db: Queryable) {
  const repository = {
    async listByUser(userId: string): Promise<ApiKeyRow[]> {
      return db.query<ApiKeyRow>(
        `SELECT ${COLUMNS} FROM api_keys WHERE user_id = $1
          ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC LIMIT $2`,
        [userId, API_KEY_LIST_LIMIT],
      );
    },
    async findById(id: string): Promise<ApiKeyRow | null> {
      const rows = await db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
      return rows[0] ?? null;
    },
    /** Looks a presented key up by the SHA-256 of its secret; the secret itself is never stored. */
    async findActiveByHash(keyHash: string): Promise<ApiKeyWithOwner | null> {
      const rows = await db.query<ApiKeyWithOwner>(
        `SELECT k.id, k.user_id AS "userId", k.name, k.prefix, k.scopes, k.tier, k.created_at AS "createdAt",
                k.last_used_at AS "lastUsedAt", k.revoked_at AS "revokedAt", u.role AS "ownerRole"
           FROM api_keys k JOIN users u ON u.id = k.user_id
          WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
        [keyHash],
      );
      return rows[0] ?? null;
    },
    /**
     * Inserts the key unless the user already holds MAX_ACTIVE_API_KEYS active ones (null then):
     * the count and the insert are one statement.
     */
    async create(input: {
      userId: string;
      name: string;
      prefix: string;
      keyHash: string;
      scopes: readonly Scope[];
    }): Promise<ApiKeyRow | null> {
      const rows = await db.query<ApiKeyRow>(
        `INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes)
         SELECT $1::uuid, $2::text, $3::text, $4::text, $5::text[]
          WHERE (SELECT count(*) FROM api_keys WHERE user_id = $1::uuid AND revoked_at IS NULL) < $6::int
         RETURNING ${COLUMNS}`,
        [input.userId, input.name, input.prefix, input.keyHash, input.scopes, MAX_ACTIVE_API_KEYS],
      );
      return rows[0] ?? null;
    },
    /** Revokes the key if it belongs to the user; false when there was nothing to revoke. */
    async revoke(id: string, userId: string): Promise<boolean> {
      const rows = await db.query(
        'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id',
        [id, userId],
      );
      return rows.length > 0;
    },
    /**
     * Sets (or, with null, clears) a key's client tier; null when there is no such key. Only the
     * admin CLI calls this: an operator grants a tier, a key's owner never can.
     */
    async setTier(id: string, tier: string | null): Promise<ApiKeyRow | null> {
      const rows = await db.query<ApiKeyRow>(
        `UPDATE api_keys SET tier = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, tier],
      );
      return rows[0] ?? null;
    },
    /** One statement for a whole batch of "last used" marks (see the API-key touch buffer). */
    async markUsed(ids: readonly string[], at: Date): Promise<void> {
      if (ids.length === 0) return;
      await db.query('UPDATE api_keys SET last_used_at = $2 WHERE id = ANY($1::uuid[])', [ids, at]);
    },
  };
  return repository satisfies ApiKeyDirectory;
}
export type ApiKeysRepository = ReturnType<typeof createApiKeysRepository>;
