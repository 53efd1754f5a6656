import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * Mail per target address (pre-authentication operations are limited by the target account as
 * well as by the client network): whoever asks, and from however many networks, one address gets
 * at most MAIL_PER_ADDRESS messages (verification, "already registered" and reset mail together)
 * per MAIL_WINDOW_SECONDS. A mailbox cannot be flooded through register or requestPasswordReset,
 * and our sender reputation cannot be spent on it.
 *
 * The numbers follow the reset-link rule: a link stays valid until used or expired (30 minutes),
 * and at most three are outstanding. Three mails per 30 minutes means no request, however many
 * are sent, can push a live link out: the way out cannot be jammed by requesting more links.
 *
 * The quota is taken after the answer has been sent (the mail path), so a suppressed mail looks
 * exactly like a sent one to the client: the quota tells no one whether the account exists.
 */
export const MAIL_PER_ADDRESS = 3;
export const MAIL_WINDOW_SECONDS = 30 * 60;

export interface MailQuota {
  /** Takes one mail of `address`'s quota: false when the quota is spent (send nothing). */
  take(address: string): Promise<boolean>;
}

/**
 * Addresses are counted by hash (lowercased): the limiter store holds no address. Any other
 * failure is thrown to the mail task, which logs it and sends nothing.
 */
export function createMailQuota(limiter: RateLimiterAbstract): MailQuota {
  return {
    async take(address) {
      const key = createHash('sha256').update(address.trim().toLowerCase()).digest('base64url');
      try {
        await limiter.consume(key);
        return true;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return false;
        throw refusal;
      }
    },
  };
}

/** The single-instance default (tests, and the mechanisms' defaults). */
export const createMemoryMailQuota = (): MailQuota =>
  createMailQuota(
    new RateLimiterMemory({ keyPrefix: 'mail', points: MAIL_PER_ADDRESS, duration: MAIL_WINDOW_SECONDS }),
  );
