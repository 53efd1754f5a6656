import { createHash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { retryAfterSeconds } from '../errors.js';
import { createLimiterFactory, type LimiterFactory } from '../store/limiters.js';

export interface LoginThrottleOptions {
  /**
   * The app's limiter factory: its store (Redis shared by every instance, with the in-memory
   * insurance during an outage) and key prefix. Default: in this process's memory, no prefix.
   */
  limiters?: LimiterFactory | undefined;
  /** Failed logins per account within `windowSeconds` that lock it. OWASP-style default: 5. */
  accountMaxFailures?: number;
  /** Failed logins per client IP within `windowSeconds` before the IP is refused. Default 50. */
  ipMaxFailures?: number;
  /** Counting window, in seconds. Default 15 minutes. */
  windowSeconds?: number;
  /** How long a lock lasts once set, in seconds. Default 15 minutes. */
  lockSeconds?: number;
}

/** Which counter refused the attempt or was just locked. */
export type LockScope = 'account' | 'ip';

export class LoginLockedError extends Error {
  constructor(
    readonly scope: LockScope,
    readonly retryAfterSeconds: number,
  ) {
    super(`login locked (${scope})`);
    this.name = 'LoginLockedError';
  }
}

export interface LoginAttempt {
  /** The password was right: the reserved attempt is given back (only failures count). */
  succeeded(): Promise<void>;
  /** The password was wrong: returns the locks this failure just set, for the security log. */
  failed(): Promise<LockScope[]>;
}

/**
 * Layered brute-force defence for `login` (rate-limiter-flexible's login-protection pattern):
 * failures are counted per account, whichever IP they come from (a botnet cannot spread guesses
 * over many addresses), and per client IP (one address cannot spray passwords over many
 * accounts). Every attempt reserves a point *before* the password is checked, atomically in the
 * store, so a burst of parallel guesses cannot slip past the count; a success gives it back.
 * A locked account refuses even the right password until the lock ends: otherwise the lock
 * would not stop the guess that happens to be right.
 */
export function createLoginThrottle(options: LoginThrottleOptions = {}) {
  const {
    limiters = createLimiterFactory({ redis: undefined, prefix: '' }),
    accountMaxFailures = 5,
    ipMaxFailures = 50,
    windowSeconds = 15 * 60,
    lockSeconds = 15 * 60,
  } = options;

  // If Redis is unreachable the factory's in-process insurance takes over: counting per instance
  // is a weaker defence than a shared count, but far better than none (or than refusing every login).
  const byAccount = limiters.create({
    name: 'login-account',
    points: accountMaxFailures,
    duration: windowSeconds,
  });
  const byIp = limiters.create({ name: 'login-ip', points: ipMaxFailures, duration: windowSeconds });

  // The account key is a hash of the normalised email: the store never holds addresses, and an
  // unknown email is counted (and locked) exactly like a real one, so locks reveal nothing.
  const accountKey = (email: string) =>
    createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);

  const reserve = async (rl: RateLimiterAbstract, key: string, scope: LockScope) => {
    try {
      return await rl.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new LoginLockedError(scope, retryAfterSeconds(rejection.msBeforeNext));
      }
      throw rejection;
    }
  };

  return {
    /** Reserves one attempt for the account and the IP; throws LoginLockedError when either is locked. */
    async begin(email: string, ip: string): Promise<LoginAttempt> {
      const account = accountKey(email);
      const [a, i] = await Promise.allSettled([
        reserve(byAccount, account, 'account'),
        reserve(byIp, ip, 'ip'),
      ]);
      if (a.status === 'rejected') throw a.reason;
      if (i.status === 'rejected') throw i.reason;
      const accountRes = a.value;
      const ipRes = i.value;
      return {
        async succeeded() {
          await Promise.all([byAccount.reward(account, 1), byIp.reward(ip, 1)]);
        },
        async failed() {
          const locks: LockScope[] = [];
          // The failure that uses up the last point starts a lock of the full lock length.
          if (accountRes.remainingPoints === 0) {
            await byAccount.block(account, lockSeconds);
            locks.push('account');
          }
          if (ipRes.remainingPoints === 0) {
            await byIp.block(ip, lockSeconds);
            locks.push('ip');
          }
          return locks;
        },
      };
    },
    /** Clears the account's failures (after a successful password reset proves ownership). */
    async clearAccount(email: string): Promise<void> {
      await byAccount.delete(accountKey(email));
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
