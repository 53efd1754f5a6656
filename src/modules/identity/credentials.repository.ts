import type { UserDirectory } from '../../auth/ports.js';
import type { Queryable } from '../../db/client.js';
import { USER_COLUMNS, type UserRow } from '../users/users.model.js';
import type { UserCredentialsRow } from './identity.model.js';

const CREDENTIAL_COLUMNS = `${USER_COLUMNS}, password_hash AS "passwordHash", token_version AS "tokenVersion",
  tokens_not_before AS "tokensNotBefore",
  email_verified_at IS NOT NULL AS "emailVerified"`;

/** Reset links an account may hold at once: a new request drops the oldest beyond these. */
export const MAX_OUTSTANDING_RESET_TOKENS = 3;

/**
 * Accounts and their credentials: creation (register: unverified until verifyEmail; first sight
 * of an external identity), the password hash, the token version, and the verification and
 * password-reset tokens (only their SHA-256 is stored). Implements the auth mechanisms'
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
    /**
     * register's one statement, whether or not the address is taken: an unverified account and its
     * verification token's hash are inserted together, or (taken address) nothing is written and the
     * existing account's id comes back.
     */
    async registerUnverified(input: {
      email: string;
      name: string;
      passwordHash: string;
      verificationTokenHash: string;
      expiresAt: Date;
    }): Promise<{ created: boolean; userId: string | null }> {
      const rows = await db.query<{ created: boolean; userId: string }>(
        `WITH created AS (
           INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING id
         ), token AS (
           INSERT INTO email_verification_tokens (user_id, token_hash, expires_at)
           SELECT id, $4, $5 FROM created
         )
         SELECT true AS created, id AS "userId" FROM created
         UNION ALL
         SELECT false, id FROM users WHERE lower(email) = lower($1) AND NOT EXISTS (SELECT 1 FROM created)`,
        [input.email, input.name, input.passwordHash, input.verificationTokenHash, input.expiresAt],
      );
      // No row: the address was taken by a sign-up still committing when this statement began.
      return rows[0] ?? { created: false, userId: null };
    },
    /**
     * Consumes a verification token and marks its account verified, in one statement: of two
     * concurrent uses only one gets the account back. Null for an unknown, used or expired token.
     */
    async consumeVerificationToken(tokenHash: string): Promise<UserCredentialsRow | null> {
      const rows = await db.query<UserCredentialsRow>(
        `WITH consumed AS (
           UPDATE email_verification_tokens SET used_at = now()
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
            RETURNING user_id
         )
         UPDATE users SET email_verified_at = coalesce(email_verified_at, now())
          WHERE id = (SELECT user_id FROM consumed)
          RETURNING ${CREDENTIAL_COLUMNS}`,
        [tokenHash],
      );
      return rows[0] ?? null;
    },
    /**
     * Sets a user's role: only the operator's admin CLI does (no API operation changes a role).
     * The user's outstanding tokens are not touched: the CLI sets it on a new account.
     */
    async setRole(id: string, role: UserRow['role']): Promise<void> {
      await db.query('UPDATE users SET role = $2 WHERE id = $1', [id, role]);
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
    /**
     * Stores a password-reset token's hash. Earlier links stay valid (a new request must not cancel
     * the way out someone else asked for); past MAX_OUTSTANDING_RESET_TOKENS the oldest are dropped.
     */
    async createPasswordResetToken(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
      await db.query(
        `WITH inserted AS (
           INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, $3) RETURNING id
         )
         DELETE FROM password_reset_tokens WHERE id IN (
           SELECT id FROM password_reset_tokens
            WHERE user_id = $1 AND used_at IS NULL AND expires_at > now()
            ORDER BY created_at DESC, id DESC OFFSET $4
         )`,
        [userId, tokenHash, expiresAt, MAX_OUTSTANDING_RESET_TOKENS - 1],
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
    /**
     * A completed reset, in one statement: the new password; the address counts as verified (the
     * link came through the mailbox); the token version is bumped (every access token ends); every
     * API key is revoked; every other outstanding reset and verification link is used up. Returns
     * the account's email, or null when the account is gone.
     */
    async completePasswordReset(userId: string, passwordHash: string): Promise<{ email: string } | null> {
      const rows = await db.query<{ email: string }>(
        `WITH keys AS (
           UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL
         ), resets AS (
           UPDATE password_reset_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL
         ), verifications AS (
           UPDATE email_verification_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL
         )
         UPDATE users SET password_hash = $2, token_version = token_version + 1,
                tokens_not_before = now(), email_verified_at = coalesce(email_verified_at, now())
          WHERE id = $1 RETURNING email`,
        [userId, passwordHash],
      );
      return rows[0] ?? null;
    },
  };
  return repository satisfies UserDirectory;
}
export type CredentialsRepository = ReturnType<typeof createCredentialsRepository>;
