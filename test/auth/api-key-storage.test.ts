import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { TRUSTING_PROXY } from '../helpers/network.js';
import { registerUser } from '../helpers/users.js';

// Issue 19: fails if an API key secret is ever stored as is (e.g. hashApiKey returning its
// input): a read of the database, a backup or a log of a query must never yield a usable key.

const CREATE =
  'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }';

describe('API key storage', () => {
  let t: TestApp;

  before(async () => {
    t = await startApp({ env: TRUSTING_PROXY });
  });
  after(() => t?.stop());

  it('stores only the sha256 hex of the secret: no column of any row holds the secret', async () => {
    const owner = await registerUser(t);
    const created: { secret: string; id: string }[] = [];
    for (const name of ['first', 'second']) {
      const res = await t.gql(CREATE, { input: { name, scopes: ['ORDERS_READ'] } }, owner.headers);
      const key = res.body.data?.createApiKey as { secret: string; apiKey: { id: string } } | undefined;
      assert.ok(key, res.text);
      created.push({ secret: key.secret, id: key.apiKey.id });
    }

    // Every column of every row, as text, whatever columns the table has now or later.
    const cells = await t.app.db.query<{ id: string; col: string; value: string | null }>(
      'SELECT k.id::text AS id, c.key AS col, c.value FROM api_keys k, jsonb_each_text(to_jsonb(k)) c',
    );
    assert.ok(
      cells.some((c) => c.col === 'key_hash'),
      'the scan saw the key_hash column',
    );
    for (const { secret } of created) {
      const leaks = cells.filter((c) => c.value?.includes(secret));
      assert.deepEqual(leaks, [], 'the secret is stored nowhere in api_keys');
    }

    for (const { secret, id } of created) {
      const [row] = await t.app.db.query<{ keyHash: string }>(
        'SELECT key_hash AS "keyHash" FROM api_keys WHERE id = $1',
        [id],
      );
      assert.equal(row?.keyHash, createHash('sha256').update(secret).digest('hex'));
      // And the stored hash is what authenticates: the key works.
      const res = await t.gql('{ myOrders(first: 1) { totalCount } }', {}, { 'x-api-key': secret });
      assert.equal(res.status, 200, res.text);
    }
  });
});
