import { toSafeText } from '../../text/safe-text.js';
import type { Queryable } from '../client.js';
import type { CodeMigration } from '../migrate.js';

/**
 * Every stored user-entered text column: the rule is applied on write since this migration
 * (validation.ts `safeText`); the rows written before it are rewritten into the safe form once.
 * Postcodes and promo codes are whitelisted (no `<`, `>`, `&`): rewriting them changes nothing,
 * and they are listed so that the list is the whole set. Names here are constants, never input.
 */
export const SAFE_TEXT_COLUMNS = [
  ['users', 'name'],
  ['reviews', 'body'],
  ['api_keys', 'name'],
  ['products', 'name'],
  ['products', 'description'],
  ['orders', 'ship_line1'],
  ['orders', 'ship_city'],
  ['orders', 'ship_postcode'],
  ['orders', 'promo_code'],
] as const;

const PAGE = 1000;

/** Rewrites one column into the safe form, a page of rows at a time, only the rows it changes. */
async function rewriteColumn(tx: Queryable, table: string, column: string): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await tx.query<{ id: string; value: string | null }>(
      `SELECT id, ${column} AS value FROM ${table} WHERE id > $1::uuid ORDER BY id LIMIT ${PAGE}`,
      [after],
    );
    const changed = rows.filter((r) => r.value !== null && toSafeText(r.value) !== r.value);
    if (changed.length > 0) {
      await tx.query(
        `UPDATE ${table} AS t SET ${column} = v.value
           FROM unnest($1::uuid[], $2::text[]) AS v(id, value) WHERE t.id = v.id`,
        [changed.map((r) => r.id), changed.map((r) => toSafeText(r.value ?? ''))],
      );
    }
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]?.id ?? after;
  }
}

export const safeTextMigration: CodeMigration = {
  name: '002_safe_text',
  async run(tx) {
    for (const [table, column] of SAFE_TEXT_COLUMNS) await rewriteColumn(tx, table, column);
  },
};
