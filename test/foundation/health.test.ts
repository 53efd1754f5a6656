import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../../src/db/migrate.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/process.js';
import { requireService } from '../helpers/env.js';

describe('health and readiness', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(async () => {
    await t?.stop();
  });

  it('GET /healthz answers 200 while the process is up', async () => {
    const res = await fetch(`${t.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('GET /readyz answers 200 when the database is reachable', async () => {
    const res = await fetch(`${t.url}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ready', checks: { database: 'ok' } });
  });

  it('migrations are idempotent and recorded', async () => {
    assert.deepEqual(await migrate(t.app.db), []);
    const rows = await t.app.db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    assert.ok(rows.some((r) => r.name === '001_init.sql'));
    assert.ok(
      rows.some((r) => r.name === '002_safe_text'),
      'code migrations are recorded too',
    );
  });
});

describe('readiness with Redis', { skip: requireService('REDIS_URL') }, () => {
  it('answers 200 with Redis up', async () => {
    const t = await startApp({ redis: true });
    try {
      const res = await fetch(`${t.url}/readyz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ready', checks: { database: 'ok', redis: 'ok' } });
    } finally {
      await t.stop();
    }
  });

  it('answers 503 when the configured Redis is unreachable, while /healthz stays 200', async () => {
    const port = await freePort(); // nothing listens there
    const t = await startApp({ redis: `redis://127.0.0.1:${port}` });
    try {
      const res = await fetch(`${t.url}/readyz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), {
        status: 'unavailable',
        checks: { database: 'ok', redis: 'down' },
      });
      assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
    } finally {
      await t.stop();
    }
  });
});
