import type { Redis } from 'ioredis';
import { createMemorySessionStore } from './memory-session-store.js';
import { createRedisSessionStore } from './redis-session-store.js';
import type { SessionStore, SessionStoreTiming } from './session-store.js';

export interface SessionStoreOptions extends SessionStoreTiming {
  /** Shared store for every instance; without it sessions live in this process only. */
  redis?: Redis | undefined;
  /** Key prefix (config.redisPrefix), so deployments and test runs can share one Redis. */
  prefix?: string;
}

/** Redis when configured (required with more than one instance), in-memory otherwise. */
export function createSessionStore({
  redis,
  prefix = '',
  ...timing
}: SessionStoreOptions = {}): SessionStore {
  return redis ? createRedisSessionStore(redis, `${prefix}sess:`, timing) : createMemorySessionStore(timing);
}
