import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createDb } from '../../src/db/client.js';
import { dropSchema } from '../helpers/app.js';
import { requireService, TEST_DATABASE_URL } from '../helpers/env.js';

// No runaway statement may hold a pooled connection (and a lock) for ever: the pg driver's
// sessions carry statement_timeout (DATABASE_STATEMENT_TIMEOUT_MS, default 5 s).
describe('PostgreSQL statement timeout', { skip: requireService('DATABASE_URL') }, () => {
  it('a statement over the timeout is cancelled by the server; a quick one runs', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const db = await createDb({
      databaseUrl: TEST_DATABASE_URL,
      schema,
      dataDir: './data',
      statementTimeoutMs: 200,
    });
    try {
      assert.deepEqual(await db.query('SELECT 1 AS one'), [{ one: 1 }]);
      const start = Date.now();
      await assert.rejects(
        db.query('SELECT pg_sleep(3)'),
        (e: unknown) => (e as { code?: string }).code === '57014',
      );
      assert.ok(Date.now() - start < 2500, 'cancelled well before the statement would have ended');
      // The connection is usable again afterwards.
      assert.deepEqual(await db.query('SELECT 2 AS two'), [{ two: 2 }]);
    } finally {
      await db.close();
      await dropSchema(schema);
    }
  });
});
