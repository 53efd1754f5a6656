import type { Redis } from 'ioredis';

/** One counter an attempt is charged to, and the failures it allows before delays begin. */
export interface CounterScope {
  key: string;
  threshold: number;
}

/** How delays grow. All times in milliseconds, on the caller's clock. */
export interface DelayPolicy {
  /** A counter forgets its failures this long after the first one (or after its last delay ends). */
  windowMs: number;
  /** The delay set by the failure that reaches the threshold; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export type Reservation =
  /** Admitted: each scope's failure count, this attempt included. */
  | { ok: true; counts: number[] }
  /** Refused: the index of the scope with the longest pending delay, and that delay. */
  | { ok: false; scope: number; waitMs: number };

/**
 * Failure counters with progressive delays (brute-force throttling). An attempt is reserved
 * before it is judged: `reserve` refuses it if any scope is still inside a delay, and otherwise
 * counts it as a failure in every scope at once, in one atomic step, so parallel attempts cannot
 * all pass on the same count. A scope at or past its threshold gets a delay of
 * base × 2^(count − threshold), capped, before its next attempt. A right answer gives its
 * failure back (`release`) or wipes the counter (`clear`).
 */
export interface FailureCounters {
  reserve(scopes: readonly CounterScope[]): Promise<Reservation>;
  /**
   * Gives back one reserved failure (the attempt turned out right). Back below the threshold the
   * delay its own reservation set is lifted too; at or past it a pending delay stays.
   */
  release(scope: CounterScope): Promise<void>;
  /** Forgets the counter and its delay. */
  clear(key: string): Promise<void>;
}

export interface FailureCountersOptions {
  /** Shared by every instance when set; this process's memory otherwise (and during an outage). */
  redis?: Redis | undefined;
  /** Key prefix (config.redisPrefix plus a name). */
  prefix: string;
  policy: DelayPolicy;
  /** ms since the epoch. Default: Date.now. Tests move it instead of sleeping. */
  now?: (() => number) | undefined;
}

// A 2^40 multiplier is far past any cap; the bound keeps the arithmetic finite.
const delayMs = (policy: DelayPolicy, excess: number) =>
  Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(excess, 40));

interface CounterRecord {
  /** Failures in the current window. */
  n: number;
  /** The record is forgotten at this time. */
  w: number;
  /** No attempt is admitted before this time. */
  u: number;
}

/** Counters in this process's memory: each operation is synchronous, hence atomic. */
export function createMemoryFailureCounters(policy: DelayPolicy, now: () => number = Date.now) {
  const records = new Map<string, CounterRecord>();
  let operations = 0;
  const live = (key: string, t: number) => {
    const record = records.get(key);
    if (record && t >= record.w) {
      records.delete(key);
      return undefined;
    }
    return record;
  };
  // Expired records are dropped in passes every so many operations: memory stays bounded by
  // what one window of traffic can create, with no timer per key.
  const sweep = (t: number) => {
    if (++operations % 1024 !== 0) return;
    for (const [key, record] of records) if (t >= record.w) records.delete(key);
  };
  const counters: FailureCounters = {
    async reserve(scopes) {
      const t = now();
      sweep(t);
      const found = scopes.map((s) => live(s.key, t));
      let refused = -1;
      let longest = 0;
      found.forEach((record, i) => {
        const wait = (record?.u ?? 0) - t;
        if (wait > longest) [refused, longest] = [i, wait];
      });
      if (refused >= 0) return { ok: false, scope: refused, waitMs: longest };
      const counts = scopes.map((scope, i) => {
        const record = found[i] ?? { n: 0, w: t + policy.windowMs, u: 0 };
        record.n += 1;
        if (record.n >= scope.threshold) {
          record.u = t + delayMs(policy, record.n - scope.threshold);
          // Past the threshold the count outlives its window while delays go on: a steady
          // attacker stays at the longest delay instead of starting afresh every window.
          record.w = Math.max(record.w, record.u + policy.windowMs);
        }
        records.set(scope.key, record);
        return record.n;
      });
      return { ok: true, counts };
    },
    async release({ key, threshold }) {
      const record = live(key, now());
      if (!record || record.n === 0) return;
      record.n -= 1;
      if (record.n < threshold) record.u = 0;
    },
    async clear(key) {
      records.delete(key);
    },
  };
  return counters;
}

// One script, run by Redis without interleaving any other command: the check of every scope
// and the count in every scope are one step. Times come from the app's clock (ARGV), like the
// session store's. Fields: n failures, w forget-at, u no-attempt-before (ms).
// KEYS: the scopes' records; ARGV: now, window, base delay, max delay, one threshold per key.
const RESERVE = `
local now = tonumber(ARGV[1])
local window, base, cap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local records = {}
local refused, longest = 0, 0
for i, key in ipairs(KEYS) do
  local v = redis.call('HMGET', key, 'n', 'w', 'u')
  local n, w, u = tonumber(v[1]), tonumber(v[2]), tonumber(v[3])
  if not n or not w or now >= w then n, w, u = 0, now + window, 0 end
  u = u or 0
  if u - now > longest then refused, longest = i, u - now end
  records[i] = {n, w, u}
end
if refused > 0 then return {0, refused - 1, string.format('%d', longest)} end
local result = {1}
for i, key in ipairs(KEYS) do
  local n, w, u = records[i][1] + 1, records[i][2], records[i][3]
  local threshold = tonumber(ARGV[4 + i])
  if n >= threshold then
    u = now + math.min(cap, base * 2 ^ math.min(n - threshold, 40))
    w = math.max(w, u + window)
  end
  redis.call('HSET', key, 'n', n, 'w', string.format('%d', w), 'u', string.format('%d', u))
  redis.call('PEXPIRE', key, math.max(1, w - now))
  result[i + 1] = n
end
return result
`;

// KEYS: the record; ARGV: now, threshold.
const RELEASE = `
local v = redis.call('HMGET', KEYS[1], 'n', 'w')
local n, w = tonumber(v[1]), tonumber(v[2])
if not n or not w or tonumber(ARGV[1]) >= w or n == 0 then return 0 end
n = n - 1
redis.call('HSET', KEYS[1], 'n', n)
if n < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], 'u', '0') end
return 1
`;

/** Counters in Redis, shared by every instance (a single Redis or a primary: keys of one script). */
export function createRedisFailureCounters(
  redis: Redis,
  prefix: string,
  policy: DelayPolicy,
  now: () => number = Date.now,
): FailureCounters {
  const key = (k: string) => `${prefix}${k}`;
  return {
    async reserve(scopes) {
      const result = (await redis.eval(
        RESERVE,
        scopes.length,
        ...scopes.map((s) => key(s.key)),
        String(Math.trunc(now())),
        String(policy.windowMs),
        String(policy.baseDelayMs),
        String(policy.maxDelayMs),
        ...scopes.map((s) => String(s.threshold)),
      )) as [number, ...(number | string)[]];
      const [ok, ...rest] = result;
      if (ok === 1) return { ok: true, counts: rest.map(Number) };
      return { ok: false, scope: Number(rest[0]), waitMs: Number(rest[1]) };
    },
    async release(scope) {
      await redis.eval(RELEASE, 1, key(scope.key), String(Math.trunc(now())), String(scope.threshold));
    },
    async clear(k) {
      await redis.del(key(k));
    },
  };
}

/**
 * Redis when configured, with this process's memory as the insurance: while Redis is not ready
 * or a call fails, the counters of this instance take over (weaker than a shared count, far
 * better than none or than refusing every login), as the limiters' insurance does.
 */
export function createFailureCounters({
  redis,
  prefix,
  policy,
  now = Date.now,
}: FailureCountersOptions): FailureCounters {
  const memory = createMemoryFailureCounters(policy, now);
  if (!redis) return memory;
  const shared = createRedisFailureCounters(redis, prefix, policy, now);
  const insured =
    <A extends unknown[], R>(call: (c: FailureCounters, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (redis.status !== 'ready') return call(memory, ...args);
      try {
        return await call(shared, ...args);
      } catch {
        return call(memory, ...args);
      }
    };
  return {
    reserve: insured((c, scopes: readonly CounterScope[]) => c.reserve(scopes)),
    release: insured((c, scope: CounterScope) => c.release(scope)),
    clear: insured((c, k: string) => c.clear(k)),
  };
}
