/** What a rotation found. Only `rotated` hands out a new token. */
export type RotateResult =
  | { status: 'rotated'; userId: string; familyId: string }
  /** The presented token was already rotated away: the family is revoked as of this call. */
  | { status: 'reused'; userId: string; familyId: string }
  /** Unknown token, or its family has ended (logout, logoutEverywhere, reset, reuse, expiry). */
  | { status: 'invalid' };

/**
 * Refresh-session families, keyed by the SHA-256 of each refresh token (never the token itself).
 * A family is one login on one device: every rotation adds a token to it, and every earlier
 * token of the family is remembered (as rotated) for as long as the family lives, so that
 * presenting one again is recognised as reuse. Implementations make `rotate` atomic: of two
 * concurrent rotations of the same token exactly one sees it active.
 */
export interface SessionStore {
  /** Starts a family whose first token has hash `tokenHash`. */
  create(input: { familyId: string; userId: string; tokenHash: string; ttlSeconds: number }): Promise<void>;
  /** Retires `oldHash` and makes `newHash` the family's live token, in one atomic step. */
  rotate(oldHash: string, newHash: string, ttlSeconds: number): Promise<RotateResult>;
  /** Ends the family `tokenHash` belongs to (whatever the token's state); returns it if any. */
  revokeByToken(tokenHash: string): Promise<{ userId: string; familyId: string } | null>;
  /** Ends every family of the user; returns how many were alive. */
  revokeUser(userId: string): Promise<number>;
}
