/** What a rotation found. Only `rotated` hands out a new token. */
export type RotateResult =
  /** `ttlSeconds`: how long the new token lives (the sliding TTL, cut at the family's absolute end). */
  | { status: 'rotated'; userId: string; familyId: string; ttlSeconds: number }
  /** The presented token was already rotated away: the family is revoked as of this call. */
  | { status: 'reused'; userId: string; familyId: string }
  /**
   * Unknown token, or its family has ended (logout, logoutEverywhere, reset, reuse, expiry, or its
   * absolute lifetime is over: the family ends as of this call).
   */
  | { status: 'invalid' };

/** Default absolute lifetime of a family: 30 days from its login, however often it is used. */
export const DEFAULT_REFRESH_ABSOLUTE_SECONDS = 30 * 24 * 60 * 60;

/** What every session store is built with. */
export interface SessionStoreTiming {
  /**
   * A family's absolute lifetime, in seconds from its `create`: past it, `rotate` refuses whatever
   * the sliding TTL, and no TTL set reaches beyond it. Default: DEFAULT_REFRESH_ABSOLUTE_SECONDS.
   */
  absoluteSeconds?: number | undefined;
  /** The clock, in milliseconds since the epoch. Default: Date.now. */
  now?: (() => number) | undefined;
}

/**
 * Refresh-session families, keyed by the SHA-256 of each refresh token (never the token itself).
 * A family is one login on one device: every rotation adds a token to it, and every earlier
 * token of the family is remembered (as rotated) for as long as the family lives, so that
 * presenting one again is recognised as reuse. A family lives while it is used (each rotation
 * renews the sliding TTL) but never past its absolute lifetime, counted from `create`.
 * Implementations make `rotate` atomic: of two concurrent rotations of the same token exactly
 * one sees it active.
 */
export interface SessionStore {
  /**
   * Starts a family whose first token has hash `tokenHash`; returns how long that token lives
   * (`ttlSeconds`, cut at the absolute lifetime).
   */
  create(input: {
    familyId: string;
    userId: string;
    tokenHash: string;
    ttlSeconds: number;
  }): Promise<{ ttlSeconds: number }>;
  /** Retires `oldHash` and makes `newHash` the family's live token, in one atomic step. */
  rotate(oldHash: string, newHash: string, ttlSeconds: number): Promise<RotateResult>;
  /** Ends the family `tokenHash` belongs to (whatever the token's state); returns it if any. */
  revokeByToken(tokenHash: string): Promise<{ userId: string; familyId: string } | null>;
  /** Ends every family of the user; returns how many were alive. */
  revokeUser(userId: string): Promise<number>;
}
