import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { openDatabase } from '../infrastructure.js';
import { assertPgliteFree } from './pglite-guard.js';

/**
 * Runs `fn` on the database the configuration names, opened and migrated exactly as the server
 * opens it (infrastructure.ts), and closes it afterwards, failure or not: PGlite keeps its
 * directory marked as open until closed.
 */
export async function withDatabase<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  if (!config.databaseUrl) assertPgliteFree(config.dataDir);
  const db = await openDatabase(config);
  try {
    return await fn(db);
  } finally {
    await db.close().catch(() => undefined);
  }
}
