import { Redis } from 'ioredis';

export interface RedisOptions {
  url: string;
  /** Called on connection errors; ioredis keeps reconnecting on its own. */
  onError?: (error: Error) => void;
}

/**
 * One ioredis client per process. Commands fail fast while Redis is unreachable (no offline queue,
 * one retry) so the callers' fallbacks (the in-memory insurance limiter) take over at once
 * instead of requests hanging.
 */
export function createRedis({ url, onError }: RedisOptions): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
    // Commands issued in the same tick (the HTTP limit, the cost budget, session lookups of
    // concurrent requests) go out in one write: fewer syscalls per request under load.
    enableAutoPipelining: true,
  });
  redis.on('error', (error: Error) => onError?.(error));
  return redis;
}

/** Resolves once the client is ready, or rejects after `timeoutMs`. */
export function waitForRedis(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('Redis did not become ready in time'));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
