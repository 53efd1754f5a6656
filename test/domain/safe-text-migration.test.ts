import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate, type CodeMigration } from '../../src/db/migrate.js';
import { safeTextMigration, SAFE_TEXT_COLUMNS } from '../../src/db/migrations/002_safe_text.js';
import { toSafeText } from '../../src/text/safe-text.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { requireService } from '../helpers/env.js';

// The code migration that rewrote the user-entered text stored before the safe-text rule
// (db/migrations/002_safe_text.ts), and the code-migration mechanism of db/migrate.ts, on both
// drivers.

const RAW = '<img src=x onerror=alert(1)>Old & <b>bold</b> "q" <3';
const SAFE = 'Old &amp; bold "q" &lt;3';

/** Every covered column's values, keyed table.column → sorted values. */
async function snapshot(t: TestApp): Promise<Record<string, (string | null)[]>> {
  const out: Record<string, (string | null)[]> = {};
  for (const [table, column] of SAFE_TEXT_COLUMNS) {
    const rows = await t.app.db.query<{ v: string | null }>(
      `SELECT ${column} AS v FROM ${table} ORDER BY id`,
    );
    out[`${table}.${column}`] = rows.map((r) => r.v);
  }
  return out;
}

function migrationSuite(driver: 'pglite' | 'pg'): void {
  describe(`safe-text migration on ${driver}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startApp({ driver });
    });
    after(async () => {
      await t?.stop();
    });

    it('is recorded in schema_migrations like the SQL migrations, after 001_init.sql', async () => {
      const rows = await t.app.db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      assert.deepEqual(
        rows.map((r) => r.name),
        ['001_init.sql', '002_safe_text', '003_email_verification.sql'],
      );
    });

    it('rewrites rows written raw before it into the safe form; running it twice changes nothing', async () => {
      const db = t.app.db;
      const [user] = await db.query<{ id: string }>(
        "INSERT INTO users (email, name) VALUES ('old@example.com', $1) RETURNING id",
        [RAW],
      );
      const [product] = await db.query<{ id: string }>(
        'INSERT INTO products (name, description, price_cents) VALUES ($1, $2, 100) RETURNING id',
        [RAW, `${RAW}\nline two`],
      );
      // More rows than one page of the migration (1,000), to cross a page boundary.
      await db.query(
        `INSERT INTO reviews (product_id, author_id, rating, body)
         SELECT $1, $2, 3, $3 || g FROM generate_series(1, 1005) AS g`,
        [product?.id, user?.id, RAW],
      );
      await db.query(
        "INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes) VALUES ($1, $2, 'p', 'h-old', '{PRODUCTS_READ}')",
        [user?.id, RAW],
      );
      await db.query(
        `INSERT INTO orders (owner_id, total_cents, promo_code, ship_line1, ship_city, ship_postcode, ship_country)
         VALUES ($1, 100, NULL, $2, $2, 'SW1A 1AA', 'GB'), ($1, 100, 'SAVE-10', $2, $2, 'SW1A 1AA', 'GB')`,
        [user?.id, RAW],
      );
      const before = await snapshot(t);

      await db.query("DELETE FROM schema_migrations WHERE name = '002_safe_text'");
      assert.deepEqual(await migrate(db), ['002_safe_text']);
      const once = await snapshot(t);
      for (const [column, values] of Object.entries(before)) {
        assert.deepEqual(
          once[column],
          values.map((v) => (v === null ? null : toSafeText(v))),
          `${column} is in the safe form`,
        );
      }
      assert.ok(once['users.name']?.includes(SAFE));
      assert.ok(once['reviews.body']?.includes(`${SAFE}1005`));
      assert.ok(once['api_keys.name']?.includes(SAFE));
      assert.deepEqual(once['orders.promo_code'], before['orders.promo_code'], 'nulls and codes untouched');
      for (const values of Object.values(once))
        for (const v of values) assert.doesNotMatch(v ?? '', /[<>]/, 'no markup left');

      // Twice: the record makes migrate() skip it, and the rewrite itself is idempotent.
      assert.deepEqual(await migrate(db), []);
      await db.transaction((tx) => safeTextMigration.run(tx));
      assert.deepEqual(await snapshot(t), once);
    });

    it('code and SQL migrations run together in name order, each in its own transaction', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
      try {
        writeFileSync(join(dir, 'm_001_table.sql'), 'CREATE TABLE migration_probe (step text NOT NULL);');
        writeFileSync(join(dir, 'm_003_sql.sql'), "INSERT INTO migration_probe VALUES ('003');");
        const step = (name: string): CodeMigration => ({
          name,
          run: async (tx) => {
            await tx.query('INSERT INTO migration_probe VALUES ($1)', [name.slice(2, 5)]);
          },
        });
        const failing: CodeMigration = {
          name: 'm_005_fails',
          run: async (tx) => {
            await tx.query("INSERT INTO migration_probe VALUES ('005')");
            throw new Error('boom');
          },
        };
        await assert.rejects(
          migrate(t.app.db, `${dir}/`, [step('m_004_code'), step('m_002_code'), failing]),
          /boom/,
        );
        const steps = await t.app.db.query<{ step: string }>('SELECT step FROM migration_probe');
        assert.deepEqual(
          steps.map((s) => s.step),
          ['002', '003', '004'],
          'in name order; the failing one rolled back',
        );
        const recorded = await t.app.db.query<{ name: string }>(
          "SELECT name FROM schema_migrations WHERE name LIKE 'm\\_%' ORDER BY name",
        );
        assert.deepEqual(
          recorded.map((r) => r.name),
          ['m_001_table.sql', 'm_002_code', 'm_003_sql.sql', 'm_004_code'],
        );
        assert.deepEqual(await migrate(t.app.db, `${dir}/`, [step('m_004_code'), step('m_002_code')]), []);
        await assert.rejects(migrate(t.app.db, `${dir}/`, [step('m_003_sql.sql')]), /two migrations named/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

migrationSuite('pglite');
const skip = requireService('DATABASE_URL');
if (skip) describe('safe-text migration on pg', { skip }, () => undefined);
else migrationSuite('pg');
