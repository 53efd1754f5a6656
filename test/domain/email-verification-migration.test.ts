import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hashPassword } from '../../src/auth/passwords.js';
import { createDb } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { safeTextMigration } from '../../src/db/migrations/002_safe_text.js';
import { startApp } from '../helpers/app.js';
import { codeOf } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { login, REGISTER } from '../helpers/users.js';

// Verified sign-up on a database that already has users (003_email_verification.sql): everyone
// who could sign in before the migration still can; accounts registered after it wait for their link.

describe('the email-verification migration on an existing database', () => {
  const root = mkdtempSync(join(tmpdir(), 'sgql-verify-migration-'));
  const dataDir = join(root, 'db');
  after(() => rmSync(root, { recursive: true, force: true }));

  it('existing accounts stay able to log in; a new registration is unverified', async () => {
    // The database as it was before: only the migrations up to 002.
    const before = join(root, 'migrations-before');
    mkdirSync(before);
    copyFileSync(join('src', 'db', 'migrations', '001_init.sql'), join(before, '001_init.sql'));
    const old = await createDb({ dataDir });
    try {
      assert.deepEqual(await migrate(old, `${before}/`, [safeTextMigration]), [
        '001_init.sql',
        '002_safe_text',
      ]);
      await old.query('INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)', [
        'old-timer@example.com',
        'Old Timer',
        await hashPassword('old-timer-password-1'),
      ]);
    } finally {
      await old.close();
    }

    const t = await startApp({ dataDir, env: TRUSTING_PROXY });
    try {
      const applied = await t.app.db.query<{ name: string }>(
        "SELECT name FROM schema_migrations WHERE name = '003_email_verification.sql'",
      );
      assert.equal(applied.length, 1);
      const res = await login(t, 'old-timer@example.com', 'old-timer-password-1', randomIp());
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.data?.login, res.text);

      const email = 'newcomer@example.com';
      const reg = await t.gql(
        REGISTER,
        { input: { email, password: 'newcomer-password-1', name: 'New' } },
        fromIp(randomIp()),
      );
      assert.deepEqual(reg.body.data, { register: true });
      await t.app.idle();
      const [row] = await t.app.db.query<{ verified: boolean }>(
        'SELECT email_verified_at IS NOT NULL AS verified FROM users WHERE email = $1',
        [email],
      );
      assert.deepEqual(row, { verified: false });
      assert.equal(codeOf(await login(t, email, 'newcomer-password-1', randomIp())), 'UNAUTHENTICATED');
    } finally {
      await t.stop();
    }
  });
});
