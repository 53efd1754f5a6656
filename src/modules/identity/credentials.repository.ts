import type { UserDirectory } from '../../auth/ports.js';
import type { Queryable } from '../../db/client.js';
import type { Role } from '../../generated/schema-types.js';
import { USER_COLUMNS, type UserRow } from '../users/users.model.js';
import type { UserCredentialsRow } from './identity.model.js';

const CREDENTIAL_COLUMNS = `${USER_COLUMNS}, password_hash AS "passwordHash", token_version AS "tokenVersion",
  tokens_not_before AS "tokensNotBefore"`;

/**
 * Accounts and their credentials: creation (register, first sight of an external identity), the
 * password hash, the token version, and password-reset tokens. Implements the auth mechanisms'
 * UserDirectory port.
 */
export function createCredentialsRepository(db: Queryable) {
  const repository = {
    async findCredentialsByEmail(email: string): Promise<UserCredentialsRow | null> {
      const rows = await db.query<UserCredentialsRow>(
        `SELECT ${CREDENTIAL_COLUMNS} FROM users WHERE lower(email) = lower($1)`,
        [email],
      );
      return rows[0] ?? null;
    },
    async findCredentialsById(id: string): Promise<UserCredentialsRow | null> {
      const rows = await db.query<UserCredentialsRow>(
        `SELECT ${CREDENTIAL_COLUMNS} FROM users WHERE id = $1`,
        [id],
      );
      return rows[0] ?? null;
    },
    /** Returns null when the email is taken (case-insensitively). */
    async createUser(input: {
      email: string;
      name: string;
      passwordHash: string | null;
      role?: Role;
    }): Promise<UserRow | null> {
      const rows = await db.query<UserRow>(
        `INSERT INTO users (email, name, password_hash, role) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING ${USER_COLUMNS}`,
        [input.email, input.name, input.passwordHash, input.role ?? 'CUSTOMER'],
      );
      return rows[0] ?? null;
    },
    async setPasswordHash(id: string, passwordHash: string): Promise<void> {
      await db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
    },
    /**
     * Invalidates every outstanding access token of the user: ours carry the old version, an
     * external issuer's were issued before the new not-before time.
     */
    async bumpTokenVersion(id: string): Promise<number> {
      const rows = await db.query<{ v: number }>(
        `UPDATE users SET token_version = token_version + 1, tokens_not_before = now()
          WHERE id = $1 RETURNING token_version AS v`,
        [id],
      );
      return rows[0]?.v ?? 0;
    },
    /**
     * The local user for an external identity (issuer, subject), created on first sight. Emails
     * are tried in order and one already taken is skipped: an external identity never takes
     * over a local account by its email address.
     */
    async findOrCreateByOidc(
      issuer: string,
      subject: string,
      emails: readonly string[],
      name: string,
    ): Promise<UserRow | null> {
      const find = async () =>
        (
          await db.query<UserRow>(
            `SELECT ${USER_COLUMNS} FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2`,
            [issuer, subject],
          )
        )[0] ?? null;
      const found = await find();
      if (found) return found;
      for (const email of emails) {
        // DO NOTHING on any unique index: a concurrent first sight of the same identity, or a
        // taken email. Either way the SELECT below tells which.
        await db.query(
          `INSERT INTO users (email, name, oidc_issuer, oidc_subject) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
          [email, name, issuer, subject],
        );
        const row = await find();
        if (row) return row;
      }
      return null;
    },
    /** Stores a password-reset token's hash; earlier unused tokens of the user stop working. */
    async createPasswordResetToken(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
      await db.query(
        'UPDATE password_reset_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL',
        [userId],
      );
      await db.query(
        'INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, $3)',
        [userId, tokenHash, expiresAt],
      );
    },
    /**
     * Consumes a reset token in one statement: of two concurrent uses only one gets the user id
     * back. Null for an unknown, used or expired token.
     */
    async consumePasswordResetToken(tokenHash: string): Promise<string | null> {
      const rows = await db.query<{ userId: string }>(
        `UPDATE password_reset_tokens SET used_at = now()
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
          RETURNING user_id AS "userId"`,
        [tokenHash],
      );
      return rows[0]?.userId ?? null;
    },
  };
  return repository satisfies UserDirectory;
}
export type CredentialsRepository = ReturnType<typeof createCredentialsRepository>;
