import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sameDatabase, startApp } from '../helpers/app.js';
import { codeOf } from '../helpers/graphql.js';
import { TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { createApiKey, insertUser, registerUser, type Session, type TestApiKey } from '../helpers/users.js';

const MY_ORDERS = '{ myOrders(first: 1) { totalCount } }';

describe('API keys', () => {
  it('a revoked key fails at once with 401; lastUsedAt is written in batches, not per request', async () => {
    // A flush interval far longer than the test: any write of last_used_at before shutdown would
    // be a per-request write.
    const env = { ...TRUSTING_PROXY, API_KEY_USAGE_FLUSH_MS: '600000' };
    const t = await startApp({ env, keepData: true });
    let owner: Session;
    let keep: TestApiKey;
    try {
      owner = await registerUser(t);
      const doomed = await createApiKey(t, owner, ['ORDERS_READ']);
      keep = await createApiKey(t, owner, ['ORDERS_READ']);

      const before = await t.gql(MY_ORDERS, {}, { 'x-api-key': doomed.secret });
      assert.equal(before.status, 200, before.text);
      assert.deepEqual(before.body.data?.myOrders, { totalCount: 0 });

      const revoked = await t.gql(
        'mutation($id: ID!) { revokeApiKey(id: $id) }',
        { id: doomed.id },
        owner.headers,
      );
      assert.equal(revoked.body.data?.revokeApiKey, true);
      const after = await t.gql(MY_ORDERS, {}, { 'x-api-key': doomed.secret });
      assert.equal(after.status, 401, 'revoked: refused at once, for the whole request');
      assert.equal(codeOf(after), 'UNAUTHENTICATED');
      assert.equal(after.body.data, undefined);
      assert.ok(securityEvents(t, 'auth_failure').some((e) => e.reason === 'unknown_api_key'));

      // An unknown key of the right shape, and a malformed one, are refused the same way.
      const unknown = await t.gql(MY_ORDERS, {}, { 'x-api-key': `sgk_${'Z'.repeat(43)}` });
      assert.equal(unknown.status, 401);
      const malformed = await t.gql(MY_ORDERS, {}, { 'x-api-key': 'not-a-key' });
      assert.equal(malformed.status, 401);

      for (let i = 0; i < 5; i++) {
        assert.equal((await t.gql(MY_ORDERS, {}, { 'x-api-key': keep.secret })).status, 200);
      }
      const marks = await t.app.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND last_used_at IS NOT NULL',
        [owner.id],
      );
      assert.equal(marks[0]?.n, 0, 'no write on the request path');
    } finally {
      await t.stop(); // the shutdown flushes the batch
    }
    const restarted = await startApp({ env, ...sameDatabase(t) });
    try {
      const rows = await restarted.app.db.query<{ id: string; lastUsedAt: Date | null }>(
        'SELECT id, last_used_at AS "lastUsedAt" FROM api_keys WHERE user_id = $1',
        [owner.id],
      );
      const used = rows.filter((r) => r.lastUsedAt !== null).map((r) => r.id);
      assert.equal(used.length, 2, 'both used keys were marked, in the batch written at shutdown');
      assert.ok(used.includes(keep.id));
    } finally {
      await restarted.stop();
    }
  });

  it('at most 20 active keys: the 21st is BAD_USER_INPUT; the list is bounded at 50, active keys first', async () => {
    // The bound of `apiKeys` (@listSize(assumedSize: 50)) rests on these two maximums.
    const t = await startApp({ env: TRUSTING_PROXY });
    try {
      const owner = await insertUser(t);
      // 19 active keys and 40 revoked ones written directly (createApiKey is limited to 10 an hour).
      for (let i = 0; i < 59; i++) {
        await t.app.db.query(
          `INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes, revoked_at)
           VALUES ($1, $2, 'sgk_test', $3, ARRAY['ORDERS_READ'], $4)`,
          [owner.id, `k${i}`, `hash-${owner.id}-${i}`, i < 40 ? new Date() : null],
        );
      }
      const twentieth = await createApiKey(t, owner, ['ORDERS_READ']);
      const create = 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }';
      const refused = await t.gql(
        create,
        { input: { name: 'one too many', scopes: ['ORDERS_READ'] } },
        owner.headers,
      );
      assert.equal(codeOf(refused), 'BAD_USER_INPUT', refused.text);
      assert.match(refused.body.errors?.[0]?.message ?? '', /At most 20 active API keys/);
      assert.equal(refused.body.data, null);

      const list = await t.gql('{ apiKeys { id revokedAt } }', {}, owner.headers);
      const keys = list.body.data?.apiKeys as { id: string; revokedAt: string | null }[];
      assert.equal(keys.length, 50, 'at most 50 keys in the list');
      assert.equal(keys.filter((k) => k.revokedAt === null).length, 20, 'every active key is listed');
      assert.ok(
        keys.slice(0, 20).every((k) => k.revokedAt === null),
        'active keys first',
      );
      assert.equal(keys[0]?.id, twentieth.id, 'newest first');

      // Revoking one makes room for a new one.
      await t.gql('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: twentieth.id }, owner.headers);
      await createApiKey(t, owner, ['ORDERS_READ']);
    } finally {
      await t.stop();
    }
  });
});
