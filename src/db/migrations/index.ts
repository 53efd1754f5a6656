import type { CodeMigration } from '../migrate.js';
import { safeTextMigration } from './002_safe_text.js';

/** The code migrations (db/migrate.ts runs them in name order among the `.sql` files). */
export const CODE_MIGRATIONS: readonly CodeMigration[] = [safeTextMigration];
