import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { createLeasedLimiter, type CountingLimiter } from './leased-limiter.js';

/** A switch of the store the limiters count in (app composition writes it as a security event). */
export interface StoreFailover {
  /** The store limiting now uses. */
  store: 'redis' | 'memory';
  reason: string;
}

export interface LimiterFactoryOptions {
  /** The shared ioredis client; without one every limiter lives in this process's memory. */
  redis: Redis | undefined;
  /** config.redisPrefix: every limiter key starts with it, so deployments can share one Redis. */
  prefix: string;
  /**
   * Told once when limiting falls back to memory and once when Redis takes back (only with
   * Redis). Injected so that store/ stays the bottom layer: it reports, app composition audits.
   */
  onFailover?: ((event: StoreFailover) => void) | undefined;
}

export interface LimiterSpec {
  /** Short name, part of every key (e.g. `rl:http`). */
  name: string;
  points: number;
  /** Window length in seconds. */
  duration: number;
}

export interface LimiterFactory {
  /** One consume per call on the store: exact (the security-sensitive limits). */
  create(spec: LimiterSpec): RateLimiterAbstract;
  /**
   * Counted in memory on allowances leased from the store (store/leased-limiter.ts): no store
   * round trip on the hot path, never over the limit, early refusals bounded by the lease size.
   */
  createLeased(spec: LimiterSpec): CountingLimiter;
  /**
   * A limiter class for graphql-rate-limit-directive, which constructs one limiter per
   * (limit, duration) pair itself: same store and insurance as `create`.
   */
  readonly limiterClass: typeof RateLimiterAbstract;
  /** The key prefix `create` uses for a name (the directive needs it as an option). */
  keyPrefix(name: string): string;
}

/**
 * Builds every limiter of the app on one store. With Redis, limits are shared by every instance
 * behind the load balancer (fixed windows in one atomic Lua script per hit). A Redis outage must
 * not take the API down nor switch limiting off: each Redis limiter carries an in-memory
 * insurance limiter with the same points and window, used for any call Redis cannot answer
 * (`rejectIfRedisNotReady` skips the round trip while the client is disconnected). While Redis
 * is down each instance limits on its own, so a cluster of N admits at most N× the limit; when
 * the client is ready again, Redis takes back at once. Both switches are reported to `onFailover`.
 */
export function createLimiterFactory({ redis, prefix, onFailover }: LimiterFactoryOptions): LimiterFactory {
  const keyPrefix = (name: string) => `${prefix}${name}`;

  if (!redis) {
    class MemoryLimiter extends RateLimiterMemory {}
    const create = ({ name, points, duration }: LimiterSpec) =>
      new RateLimiterMemory({ keyPrefix: keyPrefix(name), points, duration });
    return {
      keyPrefix,
      create,
      // One semantics on every store: a refused consume spends nothing.
      createLeased: (spec) => createLeasedLimiter({ store: create(spec), points: spec.points }),
      limiterClass: MemoryLimiter as unknown as typeof RateLimiterAbstract,
    };
  }

  if (onFailover) watchFailover(redis, onFailover);
  const client = redis;
  class InsuredRedisLimiter extends RateLimiterRedis {
    constructor(opts: IRateLimiterOptions) {
      super({
        ...opts,
        storeClient: client,
        rejectIfRedisNotReady: true,
        // The insurance has its own counters: while Redis is down, this instance still limits.
        insuranceLimiter: new RateLimiterMemory({
          keyPrefix: opts.keyPrefix ?? 'insurance',
          points: opts.points ?? 1,
          duration: opts.duration ?? 1,
        }),
      });
    }
  }
  const create = ({ name, points, duration }: LimiterSpec) =>
    new InsuredRedisLimiter({ keyPrefix: keyPrefix(name), points, duration });
  return {
    keyPrefix,
    create,
    createLeased: (spec) => createLeasedLimiter({ store: create(spec), points: spec.points }),
    // The directive's typings ask for the abstract base class; our subclass has the same
    // constructor contract (an options object), which is all the directive uses.
    limiterClass: InsuredRedisLimiter as unknown as typeof RateLimiterAbstract,
  };
}

/** Reports once when limiting falls back to memory and once when Redis takes back. */
function watchFailover(redis: Redis, onFailover: (event: StoreFailover) => void): void {
  let current: 'redis' | 'memory' = redis.status === 'ready' ? 'redis' : 'memory';
  if (current === 'memory') {
    onFailover({ store: 'memory', reason: 'redis not ready at start' });
  }
  const toMemory = (reason: string) => {
    if (current === 'memory') return;
    current = 'memory';
    onFailover({ store: 'memory', reason });
  };
  // A shutdown's disconnect() also closes the connection; its status is then 'end' (no
  // reconnect), which is not a failover worth an event.
  redis.on('close', () => {
    setImmediate(() => {
      if (redis.status !== 'end') toMemory('redis connection lost');
    });
  });
  redis.on('ready', () => {
    if (current === 'redis') return;
    current = 'redis';
    onFailover({ store: 'redis', reason: 'redis ready again' });
  });
}
