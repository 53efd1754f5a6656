import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { setBounded } from './bounded-map.js';

/**
 * What the limits on the hot path (the HTTP client limit, the cost budget) need of a limiter.
 * Unlike rate-limiter-flexible's own `consume`, a refused `consume` spends nothing.
 */
export interface CountingLimiter {
  /** Spends `points` of `key`'s window, or throws the window's RateLimiterRes (nothing spent). */
  consume(key: string, points?: number): Promise<RateLimiterRes>;
  /** Gives back `points` spent earlier (a reservation that turned out larger than the work). */
  reward(key: string, points: number): Promise<RateLimiterRes>;
  /** Spends `points` whatever the window's state, never refusing (work already done). */
  penalty(key: string, points: number): Promise<RateLimiterRes>;
  /** The window's state, or null when `key` has spent nothing in it. */
  get(key: string): Promise<RateLimiterRes | null>;
}

export interface LeasedLimiterOptions {
  /** The shared limiter leases are taken from (Redis with its in-memory insurance, or memory). */
  store: RateLimiterAbstract;
  /** The window's points (the store's `points`). */
  points: number;
  /** The largest lease: default a fiftieth of the window's points, at least 1 (1 = exact). */
  maxLease?: number | undefined;
  /** Bound on keys held in memory (least recently used dropped first). Default 50,000. */
  maxKeys?: number | undefined;
  /** ms since the epoch. Default: Date.now. */
  now?: (() => number) | undefined;
}

/**
 * How long a refusal by the store, or a state read from it, is reused from memory: a client
 * flooding past its limit is refused here without a store round trip per request, and a read
 * (the bad-credentials check, a report) asks the store at most once a second per key.
 */
export const MEMORY_MS = 1000;

interface Lease {
  /** Points leased from the store and not yet spent here (negative: a debt the next lease pays). */
  allowance: number;
  /** The store's count for the window at the last answer (every instance's leases included). */
  consumed: number;
  /** The lease ends here: before the store's window does. */
  expiresAt: number;
  /** The size of the next lease: doubles after each one, up to maxLease (slow start). */
  size: number;
  /** The store refused a lease: every consume asks for exactly its points until the window ends. */
  exact: boolean;
  /** Until then, a consume of refusedPoints or more is refused without asking the store. */
  refusedUntil: number;
  refusedPoints: number;
  /** A lease on its way (at most one per key). */
  pending: Promise<void> | undefined;
  /** False for a state only read from the store (`get`): nothing leased, kept MEMORY_MS. */
  leased: boolean;
}

const isRefusal = (error: unknown): error is RateLimiterRes => error instanceof RateLimiterRes;

/**
 * Counting without a store round trip on the hot path: each instance leases a local allowance of
 * points from the shared store (one atomic consume of the lease's size) and spends it in memory.
 * A key's first lease is exactly what its request needs (a client seen once costs what it did
 * before); each further lease doubles, up to `maxLease`, and is taken in the background once half
 * of the current one is spent, so a steady client never waits for the store.
 *
 * The bounds (docs/operations.md, tested in test/limits/leased-limiter.test.ts):
 * - **Never over the limit.** Every point spent on any instance was first leased from the store,
 *   and the store grants no lease past the window's points: the sum over every instance stays
 *   within the limit, as with one consume per request. (While Redis is down each instance counts
 *   in its insurance memory: N instances admit at most N× the limit, as before.)
 * - **Early refusals are bounded.** Points leased by another instance and not yet spent there
 *   count as spent, and an instance holds less than 1.5 × maxLease unspent (a lease and half of
 *   the next; points given back past a lease's size go back to the store): a client at its limit
 *   may be refused up to (instances − 1) × 1.5 × maxLease points early. Once a lease is refused the instance asks for exactly each request's points for the
 *   rest of the window, and a refusal is repeated from memory for at most MEMORY_MS.
 * - **Windows.** A lease ends before the store's window does (by the round trip that took it), so
 *   no leased point is spent in the next window; a lease's unspent points end with its window.
 */
export function createLeasedLimiter(options: LeasedLimiterOptions): CountingLimiter {
  const { store, points: limit } = options;
  const maxLease = Math.max(1, Math.floor(options.maxLease ?? limit / 50));
  const maxKeys = options.maxKeys ?? 50_000;
  const now = options.now ?? Date.now;
  const leases = new Map<string, Lease>();

  const live = (key: string): Lease | undefined => {
    const lease = leases.get(key);
    if (lease && now() >= lease.expiresAt) {
      leases.delete(key);
      return undefined;
    }
    return lease;
  };

  const remember = (key: string, lease: Lease): Lease => setBounded(leases, key, lease, maxKeys);

  /** The window as this instance sees it: the store's count less what is leased here, unspent. */
  const view = (lease: Lease): RateLimiterRes => {
    const consumed = Math.max(0, lease.consumed - lease.allowance);
    return new RateLimiterRes(
      Math.max(0, limit - consumed),
      Math.max(0, lease.expiresAt - now()),
      consumed,
      false,
    );
  };

  /**
   * Takes `size` points from the store into `key`'s lease: true when granted; false when the store
   * refused (the refused points are given back at once, and the key turns exact).
   */
  const take = async (key: string, size: number): Promise<boolean> => {
    const started = now();
    let res: RateLimiterRes;
    try {
      res = await store.consume(key, size);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      // rate-limiter-flexible counts a refused consume; give it back, so a refusal spends nothing.
      await store.reward(key, size).catch(() => undefined);
      const t = now();
      const lease =
        live(key) ??
        remember(key, {
          allowance: 0,
          consumed: 0,
          expiresAt: t + error.msBeforeNext - (t - started),
          size: 1,
          exact: true,
          refusedUntil: 0,
          refusedPoints: 0,
          pending: undefined,
          leased: true,
        });
      lease.exact = true;
      lease.consumed = Math.max(lease.consumed, error.consumedPoints - size);
      lease.refusedUntil = Math.min(lease.expiresAt, t + MEMORY_MS);
      lease.refusedPoints = size + Math.max(0, lease.allowance);
      return false;
    }
    const t = now();
    // The lease ends the round trip's length before the store's window: no point is spent late.
    const expiresAt = t + res.msBeforeNext - (t - started);
    const lease = live(key);
    if (!lease || !lease.leased || res.consumedPoints <= size) {
      // The first lease of a window here (what was leased in the last one ended with it).
      remember(key, {
        allowance: size,
        consumed: res.consumedPoints,
        expiresAt,
        size: Math.min(maxLease, size * 2),
        exact: false,
        refusedUntil: 0,
        refusedPoints: 0,
        pending: lease?.pending,
        leased: true,
      });
    } else {
      lease.allowance += size;
      // Store operations on a key are one at a time here, so the last answer is the newest count.
      lease.consumed = res.consumedPoints;
      lease.expiresAt = Math.min(lease.expiresAt, expiresAt);
      lease.size = Math.min(maxLease, lease.size * 2);
      lease.refusedUntil = 0;
    }
    return true;
  };

  /** Tops the lease up in the background once half of it is spent (a failure: the next consume asks). */
  const topUp = (key: string, lease: Lease) => {
    if (lease.pending || lease.exact || lease.size <= 1 || lease.allowance * 2 >= lease.size) return;
    const pending: Promise<void> = take(key, lease.size)
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        const current = leases.get(key);
        if (current?.pending === pending) current.pending = undefined;
      });
    lease.pending = pending;
  };

  const refusal = (key: string): RateLimiterRes => {
    const lease = live(key);
    return lease ? view(lease) : new RateLimiterRes(0, MEMORY_MS, limit, false);
  };

  const consume = async (key: string, points = 1): Promise<RateLimiterRes> => {
    for (;;) {
      const lease = live(key);
      if (lease && lease.allowance >= points) {
        lease.allowance -= points;
        topUp(key, lease);
        return view(lease);
      }
      if (lease?.pending) {
        await lease.pending;
        continue;
      }
      if (lease && now() < lease.refusedUntil && points >= lease.refusedPoints) throw view(lease);
      // Too little leased here: what this request lacks, plus the next lease unless the key is exact.
      const lacking = (current: Lease | undefined) => points - (current?.allowance ?? 0);
      const extra = lease?.leased && !lease.exact ? lease.size : 0;
      if (await take(key, lacking(lease) + extra)) continue;
      // Refused: with a lease on top, ask once more for exactly what this request lacks.
      if (extra > 0 && (await take(key, lacking(live(key))))) continue;
      throw refusal(key);
    }
  };

  return {
    consume,
    async reward(key, points) {
      // After the store operation on its way: one per key at a time, so counts arrive in order.
      const before = live(key);
      if (before?.pending) await before.pending;
      const lease = live(key);
      if (!lease) return store.reward(key, points);
      // Points given back stay leased here up to the lease's size (this instance spends them
      // before asking again); the rest goes back to the store, so another instance can spend it.
      lease.allowance += points;
      const excess = lease.allowance - (lease.leased ? lease.size : 0);
      if (excess > 0) {
        lease.allowance -= excess;
        const giving = store.reward(key, excess).then((res) => {
          lease.consumed = res.consumedPoints;
        });
        const pending: Promise<void> = giving
          .catch(() => undefined)
          .finally(() => {
            if (lease.pending === pending) lease.pending = undefined;
          });
        lease.pending = pending;
        await giving;
      }
      return view(lease);
    },
    async penalty(key, points) {
      const lease = live(key);
      if (!lease) return store.penalty(key, points);
      lease.allowance -= points;
      return view(lease);
    },
    async get(key) {
      const lease = live(key);
      if (lease) return view(lease);
      const res = await store.get(key);
      const t = now();
      // Remembered (an empty lease) for MEMORY_MS at most: reads on the hot path stay local.
      remember(key, {
        allowance: 0,
        consumed: res?.consumedPoints ?? 0,
        expiresAt: t + Math.min(MEMORY_MS, res?.msBeforeNext ?? MEMORY_MS),
        size: 1,
        exact: false,
        refusedUntil: 0,
        refusedPoints: 0,
        pending: undefined,
        leased: false,
      });
      return res;
    },
  };
}
