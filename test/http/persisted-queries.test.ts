import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';

// Automatic persisted queries are off (src/security/document/persisted-queries.ts): no cache
// shared by every client, and every document is sent, and checked, in full.
describe('automatic persisted queries are off', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.stop());

  const query = '{ health }';
  const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };

  it('legitimate: a document sent in full is served', async () => {
    assert.deepEqual((await t.post({ query })).body.data, { health: 'ok' });
  });

  it('attack: registering or using a hash gets a coded refusal, and nothing is cached', async () => {
    for (const body of [{ query, extensions: { persistedQuery } }, { extensions: { persistedQuery } }]) {
      const res = await t.post(body);
      assert.equal(res.body.data, undefined, res.text);
      assert.equal(res.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', res.text);
      assert.doesNotMatch(res.text, /Apollo|PersistedQuery/);
    }
  });
});
