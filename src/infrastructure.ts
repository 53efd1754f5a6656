import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createDb, type Db } from './db/client.js';
import { migrate } from './db/migrate.js';
import { createRedis, waitForRedis } from './store/redis.js';

/** The database the config names (PostgreSQL, or PGlite in DATA_DIR), migrated. */
export async function openDatabase(config: Config): Promise<Db> {
  const db = await createDb({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir: config.dataDir,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  });
  await migrate(db);
  return db;
}

/**
 * The shared Redis when REDIS_URL is set. Not being reachable at start is no reason to refuse to
 * serve: every limiter falls back to its in-memory insurance until Redis answers.
 */
export async function openRedis(config: Config, log: Logger): Promise<Redis | undefined> {
  if (!config.redisUrl) return undefined;
  const redis = createRedis({
    url: config.redisUrl,
    onError: (e) => log.warn({ err: e.message }, 'redis error'),
  });
  await waitForRedis(redis).catch((e: unknown) =>
    log.warn({ err: e instanceof Error ? e.message : String(e) }, 'redis not ready at start; continuing'),
  );
  return redis;
}
