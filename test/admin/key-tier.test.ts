import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApiKeysRepository } from '../../src/modules/identity/api-keys.repository.js';
import { admin, assertExit, type CliResult } from '../helpers/admin-cli.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { requireService, TEST_DATABASE_URL } from '../helpers/env.js';
import { assertOk, codeOf } from '../helpers/graphql.js';
import { createApiKey, registerUser, type Session, type TestApiKey } from '../helpers/users.js';
import { startViewerProbe } from '../helpers/viewer.js';

// An API key's client tier: an operator sets it with the admin CLI (set-key-tier), the apiKeys
// query shows it, the key's viewer carries it, and the database refuses a malformed one.

const API_KEYS = '{ apiKeys { id tier } }';

/** The tier the apiKeys query shows for the key. */
async function tierShown(t: TestApp, owner: Session, key: TestApiKey): Promise<unknown> {
  const res = await t.gql(API_KEYS, {}, owner.headers);
  assertOk(res);
  const keys = res.body.data?.apiKeys as { id: string; tier: unknown }[];
  const found = keys.find((k) => k.id === key.id);
  assert.ok(found, `key listed: ${res.text}`);
  return found.tier;
}

const BAD_TIERS = ['Gold', '-gold', '_gold', 'gold tier', 'g'.repeat(33), 'gold\n', 'göld', ''];

describe('set-key-tier: refused arguments, before opening anything', () => {
  const root = mkdtempSync(join(tmpdir(), 'sgql-key-tier-args-'));
  const dataDir = join(root, 'never-created');
  const env = { NODE_ENV: 'test', DATA_DIR: dataDir };
  after(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a malformed tier or key id with exit code 2 and the rule', async () => {
    const id = randomUUID();
    // --tier=… so that a value starting with "-" is a value; a few processes at a time.
    const results: CliResult[] = [];
    for (let i = 0; i < BAD_TIERS.length; i += 4)
      results.push(
        ...(await Promise.all(
          BAD_TIERS.slice(i, i + 4).map((tier) =>
            admin(['set-key-tier', '--key', id, `--tier=${tier}`], env),
          ),
        )),
      );
    results.forEach((result, i) =>
      assertExit(
        result,
        2,
        /--tier: Must be 1 to 32 characters of a-z, 0-9, _ and -, starting with a letter or digit\./,
        JSON.stringify(BAD_TIERS[i]),
      ),
    );
    const [badKey, missing, help] = await Promise.all([
      admin(['set-key-tier', '--key', 'not-a-uuid', '--tier', 'gold'], env),
      admin(['set-key-tier', '--key', id], env),
      admin(['set-key-tier', '--help'], env),
    ]);
    assertExit(badKey, 2, /--key: Must be a valid id/);
    assertExit(missing, 2, /missing --tier/);
    assertExit(help, 0, /--key ID[\s\S]*--tier TIER/);
    assert.equal(existsSync(dataDir), false, 'no refused command opened the database');
  });
});

describe('set-key-tier on PostgreSQL, with the app running', { skip: requireService('DATABASE_URL') }, () => {
  const schema = `t_tier_${randomBytes(5).toString('hex')}`;
  const env = { NODE_ENV: 'test', DATABASE_URL: TEST_DATABASE_URL ?? '', DATABASE_SCHEMA: schema };
  let t: TestApp;
  let owner: Session;
  let key: TestApiKey;
  let other: TestApiKey;
  before(async () => {
    t = await startApp({ driver: 'pg', schema });
    owner = await registerUser(t);
    key = await createApiKey(t, owner, ['PRODUCTS_READ']);
    other = await createApiKey(t, owner, ['PRODUCTS_READ']);
  });
  after(async () => t?.stop());

  it('sets and clears the tier: the apiKeys query, list-keys and the key’s viewer show it', async () => {
    const probe = await startViewerProbe(t);
    try {
      assert.equal(await tierShown(t, owner, key), null, 'a new key has no tier');
      const viewer = await probe.viewerOf(key.headers);
      assert.deepEqual(viewer.kind === 'apiKey' && viewer.tier, null);

      const set = await admin(['set-key-tier', '--key', key.id, '--tier', 'partner-gold_2'], env);
      assertExit(
        set,
        0,
        new RegExp(`^Set the tier of API key ${key.id} \\(sgk_.+\\) to partner-gold_2\\.\\n$`),
      );
      assert.equal(await tierShown(t, owner, key), 'partner-gold_2');
      assert.equal(await tierShown(t, owner, other), null, 'only that key');
      const tiered = await probe.viewerOf(key.headers);
      assert.equal(tiered.kind === 'apiKey' && tiered.tier, 'partner-gold_2');
      // The key still works as before: the tier changes no permission.
      assertOk(await t.gql('{ products(first: 1) { totalCount } }', {}, key.headers));

      const listed = await admin(['list-keys', '--email', owner.email, '--json'], env);
      assertExit(listed, 0, /^\[/);
      const tiers = Object.fromEntries(
        (JSON.parse(listed.stdout) as { id: string; tier: unknown }[]).map((k) => [k.id, k.tier]),
      );
      assert.deepEqual(tiers, { [key.id]: 'partner-gold_2', [other.id]: null });
      const table = await admin(['list-keys', '--email', owner.email], env);
      assertExit(table, 0, /SCOPES\s+TIER\s+CREATED/);
      assert.match(table.stdout, new RegExp(`${key.id}.*PRODUCTS_READ\\s+partner-gold_2\\s`));

      const cleared = await admin(['set-key-tier', '--key', key.id, '--tier', 'none'], env);
      assertExit(cleared, 0, new RegExp(`^Cleared the tier of API key ${key.id} `));
      assert.equal(await tierShown(t, owner, key), null);
      const untiered = await probe.viewerOf(key.headers);
      assert.equal(untiered.kind === 'apiKey' && untiered.tier, null);
    } finally {
      await probe.stop();
    }
  });

  it('refuses an unknown key id (exit code 1) and changes nothing', async () => {
    assertExit(await admin(['set-key-tier', '--key', other.id, '--tier', 'silver'], env), 0, /to silver/);
    const unknown = randomUUID();
    const result = await admin(['set-key-tier', '--key', unknown, '--tier', 'gold'], env);
    assertExit(result, 1, new RegExp(`^admin set-key-tier: .*no API key with the id ${unknown}`));
    assert.equal(await tierShown(t, owner, other), 'silver');
  });

  it('a revoked key keeps its tier, and the CLI says it is revoked', async () => {
    const revoked = await createApiKey(t, owner, ['PRODUCTS_READ']);
    assertOk(await t.gql('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: revoked.id }, owner.headers));
    const result = await admin(['set-key-tier', '--key', revoked.id, '--tier', 'gold'], env);
    assertExit(result, 0, /to gold\. It was revoked at \d{4}-/);
  });

  it('the owner cannot choose a tier through the API: createApiKey has no tier argument', async () => {
    const res = await t.gql(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id tier } } }',
      { input: { name: 'mine', scopes: ['PRODUCTS_READ'], tier: 'gold' } },
      owner.headers,
    );
    assert.equal(codeOf(res), 'BAD_USER_INPUT', res.text);
    assert.equal(res.body.data?.createApiKey, undefined);
  });
});

// The CHECK of migration 004 on both databases the server runs on: the repository (and a raw
// statement) cannot store a tier the CLI would refuse.
for (const driver of ['pg', 'pglite'] as const) {
  describe(
    `the api_keys tier CHECK on ${driver}`,
    { skip: driver === 'pg' && requireService('DATABASE_URL') },
    () => {
      let t: TestApp;
      let key: TestApiKey;
      before(async () => {
        t = await startApp({ driver });
        key = await createApiKey(t, await registerUser(t), ['PRODUCTS_READ']);
      });
      after(async () => t?.stop());

      it('stores a good tier, and refuses a malformed one (check_violation)', async () => {
        const repo = createApiKeysRepository(t.app.db);
        for (const good of ['a', '0', 'gold', 'tier-2_b', 'x'.repeat(32)])
          assert.equal((await repo.setTier(key.id, good))?.tier, good);
        for (const bad of BAD_TIERS) {
          await assert.rejects(
            repo.setTier(key.id, bad),
            (e: unknown) => (e as { code?: unknown }).code === '23514',
            JSON.stringify(bad),
          );
        }
        // Nothing of the refused ones was stored; null (no tier) is allowed.
        const [row] = await t.app.db.query<{ tier: string | null }>(
          'SELECT tier FROM api_keys WHERE id = $1',
          [key.id],
        );
        assert.equal(row?.tier, 'x'.repeat(32));
        assert.equal((await repo.setTier(key.id, null))?.tier, null);
        assert.equal(await repo.setTier(randomUUID(), 'gold'), null, 'no such key');
      });
    },
  );
}
