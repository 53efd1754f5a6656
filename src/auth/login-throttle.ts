import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { retryAfterSeconds } from '../errors.js';
import { createFailureCounters, type CounterScope } from '../store/failure-counters.js';

export interface LoginThrottleOptions {
  /** Shared counters for every instance (in-memory insurance during an outage); memory alone when unset. */
  redis?: Redis | undefined;
  /** config.redisPrefix. */
  prefix?: string;
  /** ms since the epoch. Default: Date.now. */
  now?: (() => number) | undefined;
  /** Failures on one account from one client network before that pair is delayed. Default 5. */
  pairMaxFailures?: number;
  /** Failures from one client network, over every account, before the network is delayed. Default 100. */
  networkMaxFailures?: number;
  /** Failures on one account, from every network, before the account is delayed. Default 100. */
  accountMaxFailures?: number;
  /** The longest delay, in seconds. Default 15 minutes. */
  maxDelaySeconds?: number;
}

/** The failure counting window: a counter below its threshold is forgotten 15 minutes after its first failure. */
const LOGIN_WINDOW_SECONDS = 15 * 60;
/** The delay set by the failure that reaches a threshold; each further failure doubles it. */
const LOGIN_FIRST_DELAY_SECONDS = 1;

/**
 * Which counter refused the attempt or was just put on delays: one account from one network,
 * one network over every account, or one account over every network.
 */
export type LockScope = 'pair' | 'network' | 'account';

export class LoginLockedError extends Error {
  constructor(
    readonly scope: LockScope,
    readonly retryAfterSeconds: number,
  ) {
    super(`login delayed (${scope})`);
    this.name = 'LoginLockedError';
  }
}

export interface LoginAttempt {
  /** The password was right: this network's failures on the account are forgotten. */
  succeeded(): Promise<void>;
  /** The password was wrong (already counted): returns the scopes this failure put on delays. */
  failed(): Promise<LockScope[]>;
}

const SCOPES: readonly LockScope[] = ['pair', 'network', 'account'];

/**
 * Login throttling (OWASP Authentication Cheat Sheet), not an account lockout: see
 * docs/authentication.md. Failures are counted per (account, network), per network and per
 * account; past a scope's threshold each attempt in that scope must wait 1 s, 2 s, 4 s … (at
 * most `maxDelaySeconds`) after the previous one. The pair threshold is low, the others high: an
 * attacker hammering an account slows down their own network only, and the owner's right
 * password from another network gets in until the account-wide threshold is passed (a botnet
 * spreading guesses over many networks). Every attempt is counted as a failure before the
 * password is checked, atomically in the store, so parallel guesses cannot pass on one count.
 */
export function createLoginThrottle(options: LoginThrottleOptions = {}) {
  const {
    redis,
    prefix = '',
    now,
    pairMaxFailures = 5,
    networkMaxFailures = 100,
    accountMaxFailures = 100,
    maxDelaySeconds = 15 * 60,
  } = options;
  const counters = createFailureCounters({
    redis,
    prefix: `${prefix}login:`,
    now,
    policy: {
      windowMs: LOGIN_WINDOW_SECONDS * 1000,
      baseDelayMs: LOGIN_FIRST_DELAY_SECONDS * 1000,
      maxDelayMs: maxDelaySeconds * 1000,
    },
  });
  const thresholds: Record<LockScope, number> = {
    pair: pairMaxFailures,
    network: networkMaxFailures,
    account: accountMaxFailures,
  };

  // Accounts are keyed by a hash of the normalised email: the store holds no addresses, and an
  // unknown email is counted (and delayed) exactly like a real one, so delays reveal nothing.
  const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
  const accountKey = (email: string) => hash(email.trim().toLowerCase());

  return {
    /**
     * Reserves one attempt for the account from the client network (an opaque string: the
     * address or its prefix); throws LoginLockedError while a delay is pending in any scope.
     */
    async begin(email: string, network: string): Promise<LoginAttempt> {
      const account = accountKey(email);
      const keys: Record<LockScope, string> = {
        pair: `p:${hash(`${account}\n${network}`)}`,
        network: `n:${network}`,
        account: `a:${account}`,
      };
      const scopes = SCOPES.map((s): CounterScope => ({ key: keys[s], threshold: thresholds[s] }));
      const [pair, net, acct] = scopes as [CounterScope, CounterScope, CounterScope];
      const reservation = await counters.reserve(scopes);
      if (!reservation.ok) {
        throw new LoginLockedError(
          SCOPES[reservation.scope] ?? 'account',
          retryAfterSeconds(reservation.waitMs),
        );
      }
      const { counts } = reservation;
      return {
        async succeeded() {
          // The network and the account keep their other failures: a success tells nothing about
          // the rest of a network's traffic, and an account-wide attack goes on whoever signs in.
          await Promise.all([counters.clear(pair.key), counters.release(net), counters.release(acct)]);
        },
        async failed() {
          return SCOPES.filter((s, i) => counts[i] === thresholds[s]);
        },
      };
    },
    /** Forgets the account-wide failures (after a password reset proves ownership). */
    async clearAccount(email: string): Promise<void> {
      await counters.clear(`a:${accountKey(email)}`);
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
