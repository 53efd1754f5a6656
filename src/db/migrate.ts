import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';
import type { Db } from './client.js';

const MIGRATIONS_DIR = join(projectRoot(), 'src', 'db', 'migrations') + '/';
// Any fixed number: serialises concurrent start-ups of several instances on one PostgreSQL.
const MIGRATION_LOCK = 4_242_001;

/**
 * Applies every `migrations/*.sql` not yet recorded in `schema_migrations`, in name order, each
 * in its own transaction. Idempotent: running it again applies nothing.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied: string[] = [];
  for (const file of files) {
    const sql = readFileSync(`${dir}${file}`, 'utf8');
    const done = await db.transaction(async (tx) => {
      if (db.driver === 'pg') await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [file]);
      if (seen.length > 0) return false;
      // A migration file is trusted source code from this repository, never user input.
      await tx.exec(sql);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      return true;
    });
    if (done) applied.push(file);
  }
  return applied;
}
