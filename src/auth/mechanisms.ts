import { createSessionStore } from '../store/create-session-store.js';
import type { SessionStore } from '../store/session-store.js';
import { createAfterAnswer, type AfterAnswer } from './after-answer.js';
import { createLoginThrottle, type LoginThrottle } from './login-throttle.js';
import { createMemoryMailQuota, type MailQuota } from './mail-quota.js';
import type { Mailer } from './mailer.js';
import { argon2Passwords, type PasswordHasher } from './passwords.js';
import type { TokenService } from './tokens.js';

/**
 * The authentication mechanisms app composition builds once and hands to the modules (the identity
 * module's use cases run on them). Everything but the token service has a single-instance default.
 */
export interface AuthMechanisms {
  tokens: TokenService;
  /**
   * Refresh-session families. Default: in memory with the default absolute lifetime (one instance
   * only; domain.ts passes Redis when configured, and REFRESH_ABSOLUTE_DAYS).
   */
  sessions?: SessionStore | undefined;
  /**
   * Login-failure counters. Default: in memory, with the standard limits (domain.ts builds them on
   * the app's limiter factory: Redis when configured).
   */
  throttle?: LoginThrottle | undefined;
  /** Out-of-band delivery: verification, "already registered" and reset mail. Default: delivers nothing. */
  mailer?: Mailer | undefined;
  /**
   * Mail per target address (auth/mail-quota.ts). Default: in memory (domain.ts builds it on the
   * app's limiter factory: Redis when configured).
   */
  mailQuota?: MailQuota | undefined;
  /** Password hashing and verification. Default: argon2id (auth/passwords.ts). */
  passwords?: PasswordHasher | undefined;
  /** Where work that must not shape an answer runs (mail). Default: its own queue. */
  afterAnswer?: AfterAnswer | undefined;
  /** The page where users finish a reset; the token travels in the URL fragment. */
  resetUrl?: string | undefined;
  /** The page where users confirm their address; the token travels in the URL fragment. */
  verifyUrl?: string | undefined;
}

const NO_MAILER: Mailer = {
  sendVerification: async () => undefined,
  sendAlreadyRegistered: async () => undefined,
  sendPasswordReset: async () => undefined,
};

/** The mechanisms with every default filled in. */
export function withAuthDefaults(mechanisms: AuthMechanisms): Required<{
  [K in keyof AuthMechanisms]: NonNullable<AuthMechanisms[K]>;
}> {
  return {
    tokens: mechanisms.tokens,
    sessions: mechanisms.sessions ?? createSessionStore(),
    throttle: mechanisms.throttle ?? createLoginThrottle(),
    mailer: mechanisms.mailer ?? NO_MAILER,
    mailQuota: mechanisms.mailQuota ?? createMemoryMailQuota(),
    passwords: mechanisms.passwords ?? argon2Passwords,
    afterAnswer: mechanisms.afterAnswer ?? createAfterAnswer(),
    resetUrl: mechanisms.resetUrl ?? 'http://localhost:3000/reset-password',
    verifyUrl: mechanisms.verifyUrl ?? 'http://localhost:3000/verify-email',
  };
}
