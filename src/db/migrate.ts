import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';
import type { Db, Queryable } from './client.js';
import { CODE_MIGRATIONS } from './migrations/index.js';

const MIGRATIONS_DIR = join(projectRoot(), 'src', 'db', 'migrations') + '/';
// Any fixed number: serialises concurrent start-ups of several instances on one PostgreSQL.
const MIGRATION_LOCK = 4_242_001;

/**
 * A migration SQL cannot express (e.g. rewriting rows through a JavaScript function). Registered
 * in `migrations/index.ts`; its `name` (e.g. `002_safe_text`) orders it among the `.sql` files
 * and is what `schema_migrations` records.
 */
export interface CodeMigration {
  readonly name: string;
  /** Runs inside the migration's transaction: throwing rolls all of it back. */
  run(tx: Queryable): Promise<void>;
}

/**
 * Applies every migration not yet recorded in `schema_migrations`: the `migrations/*.sql` files
 * and the registered code migrations, together in name order, each in its own transaction and
 * recorded in that same transaction. Idempotent: running it again applies nothing.
 */
export async function migrate(
  db: Db,
  dir = MIGRATIONS_DIR,
  code: readonly CodeMigration[] = CODE_MIGRATIONS,
): Promise<string[]> {
  const steps: CodeMigration[] = [
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      // A migration file is trusted source code from this repository, never user input.
      .map((file) => ({
        name: file,
        run: (tx: Queryable) => tx.exec(readFileSync(`${dir}${file}`, 'utf8')),
      })),
    ...code,
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = steps.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`two migrations named ${duplicate}`);

  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied: string[] = [];
  for (const step of steps) {
    const done = await db.transaction(async (tx) => {
      if (db.driver === 'pg') await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [step.name]);
      if (seen.length > 0) return false;
      await step.run(tx);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [step.name]);
      return true;
    });
    if (done) applied.push(step.name);
  }
  return applied;
}
