import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { admin, assertExit, type CliResult } from '../helpers/admin-cli.js';
import { dropSchema, startApp, type TestApp } from '../helpers/app.js';
import { requireService, TEST_DATABASE_URL } from '../helpers/env.js';
import { assertOk, assertRefused, type GqlResponse } from '../helpers/graphql.js';
import { randomIp } from '../helpers/network.js';
import { createApiKey, login, type TestApiKey } from '../helpers/users.js';

// The admin CLI as an operator runs it: a real process, its flags, standard input, exit code and
// output; then the real app on the same database serves what it wrote.

/** Exit code 0; the output for the message. */
function assertDone(result: CliResult): void {
  assert.equal(result.code, 0, `exit code; stderr: ${result.stderr}; stdout: ${result.stdout}`);
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const createdId = (result: CliResult) => UUID.exec(result.stdout)?.[0] ?? assert.fail(result.stdout);

const PASSWORD = 'admin-cli-password-1';
const VIEWER_ROLE = '{ viewer { id email role } }';
const USER = 'query($id: ID!) { user(id: $id) { id email role } }';
const CREATE_PRODUCT = `mutation($input: CreateProductInput!) {
  createProduct(input: $input) { id name description priceCents }
}`;
const PRODUCTS = `query($search: String) {
  products(first: 10, search: $search) { edges { node { id name description priceCents } } }
}`;

/** Signs in through the real login; the bearer headers. */
async function signIn(t: TestApp, email: string, password: string): Promise<Record<string, string>> {
  const res = await login(t, email, password, randomIp());
  assertOk(res);
  const token = (res.body.data?.login as { accessToken: string }).accessToken;
  return { authorization: `Bearer ${token}` };
}

const productNodes = (res: GqlResponse) =>
  (res.body.data?.products as { edges: { node: Record<string, unknown> }[] }).edges.map((e) => e.node);

describe('admin CLI: help and refused arguments', () => {
  // No database may be touched by a refused command: this directory must never appear.
  const root = mkdtempSync(join(tmpdir(), 'sgql-admin-args-'));
  const dataDir = join(root, 'never-created');
  const env = { NODE_ENV: 'test', DATA_DIR: dataDir };
  after(() => rmSync(root, { recursive: true, force: true }));

  it('prints the command list and each command’s help with exit code 0', async () => {
    const [overview, ...commands] = await Promise.all([
      admin(['--help'], env),
      ...['create-user', 'create-product', 'list-keys', 'revoke-key'].map((c) => admin([c, '--help'], env)),
    ]);
    assertDone(overview!);
    for (const name of ['create-user', 'create-product', 'list-keys', 'revoke-key'])
      assert.match(overview!.stdout, new RegExp(`\\n  ${name} `), `${name} listed`);
    const flags = [
      ['--email E', '--name N', '--role ROLE', '--generate-password'],
      ['--name N', '--description D', '--price-cents P'],
      ['--email E', '--json'],
      ['--id ID', '--email E', '--all'],
    ];
    commands.forEach((result, i) => {
      assertDone(result);
      assert.match(result.stdout, /^Usage: /);
      for (const flag of flags[i] ?? [])
        assert.ok(result.stdout.includes(flag), `${flag} in ${result.stdout}`);
    });
    assert.equal(existsSync(dataDir), false, 'help opens no database');
  });

  it('refuses every bad argument with exit code 2 and a message naming it, before opening anything', async () => {
    const user = ['create-user', '--email', 'new@example.com', '--name', 'New', '--role', 'ADMIN'];
    const cases: { args: string[]; stdin?: string; message: RegExp }[] = [
      { args: [], message: /^Usage: npm run admin -- <command>/ },
      { args: ['frob'], message: /unknown command 'frob'/ },
      { args: ['create-user', '--name', 'N', '--role', 'ADMIN'], message: /missing --email/ },
      {
        args: ['create-user', '--email', 'not-an-address', '--name', '', '--role', 'ROOT'],
        // Every mistake of the run at once, each on its own line.
        message:
          /--email: Must be a valid email address\.\n\s+--name: Must not be empty\.\n\s+--role: Must be one of ADMIN, CUSTOMER\./,
      },
      { args: [...user, '--email'], message: /--email needs a value/ },
      {
        args: user,
        stdin: 'short-pw\n',
        message: /password \(standard input\): Must be at least 12 characters/,
      },
      { args: user, stdin: `${'x'.repeat(129)}\n`, message: /Must be at most 128 characters/ },
      { args: user, stdin: 'password1234\n', message: /too common/ },
      { args: user, stdin: '', message: /no password on standard input/ },
      { args: user, stdin: 'first-line-password\nsecond-line\n', message: /one line/ },
      {
        args: ['create-product', '--name', 'Lamp', '--price-cents', '12.5'],
        message: /--price-cents: Must be a whole number of cents/,
      },
      {
        args: ['create-product', '--name', 'Lamp', '--price-cents=-1'],
        message: /--price-cents: Must not be negative/,
      },
      { args: ['create-product', '--name', ' ', '--price-cents', '5'], message: /--name: Must not be empty/ },
      { args: ['list-keys', '--email', 'a@example.com', '--bogus'], message: /unknown option --bogus/ },
      { args: ['list-keys', '--email', 'a@example.com', 'extra'], message: /unexpected argument 'extra'/ },
      { args: ['revoke-key', '--id', 'not-a-uuid'], message: /--id: Must be a valid id/ },
      { args: ['revoke-key', '--email', 'a@example.com'], message: /only with --all/ },
      {
        args: ['revoke-key', '--id', randomUUIDLike(), '--all'],
        message: /either --id, or --email with --all/,
      },
      { args: ['revoke-key'], message: /missing --id/ },
    ];
    // A few at a time: each is a whole node process, and the machine is shared with other suites.
    const results: CliResult[] = [];
    for (let i = 0; i < cases.length; i += 4)
      results.push(...(await Promise.all(cases.slice(i, i + 4).map((c) => admin(c.args, env, c.stdin)))));
    results.forEach((result, i) => assertExit(result, 2, cases[i]?.message ?? /./));
    assert.equal(existsSync(dataDir), false, 'no refused command opened the database');
  });
});

describe('admin CLI: an environment it cannot use', () => {
  it('says so with exit code 1: an unreachable PostgreSQL server, an invalid variable', async () => {
    const product = ['create-product', '--name', 'Lamp', '--price-cents', '5'];
    const [unreachable, invalid] = await Promise.all([
      // Port 1 on loopback: nothing listens there.
      admin(product, { NODE_ENV: 'test', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }),
      admin(product, { NODE_ENV: 'test', DATABASE_URL: 'mysql://db.example.com/shop' }),
    ]);
    assertExit(unreachable, 1, /^admin create-product: failed: connect ECONNREFUSED 127\.0\.0\.1:1\n$/);
    // The server's own start-up message: the variable and the rule, never the value.
    assertExit(invalid, 1, /Invalid configuration:\n\s+DATABASE_URL: a postgres:\/\/ or postgresql:\/\/ URL/);
    assert.ok(!invalid.stderr.includes('db.example.com'), 'the value is not echoed');
  });
});

function randomUUIDLike(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

describe('admin CLI on PostgreSQL (its own schema)', { skip: requireService('DATABASE_URL') }, () => {
  const schema = `t_admin_${randomBytes(5).toString('hex')}`;
  const env = { NODE_ENV: 'test', DATABASE_URL: TEST_DATABASE_URL ?? '', DATABASE_SCHEMA: schema };
  const adminEmail = `root-${schema}@example.com`;
  let t: TestApp | undefined;
  let adminHeaders: Record<string, string> = {};
  after(async () => {
    await t?.stop();
    await dropSchema(schema);
  });

  it('creates an admin, a customer (generated password) and a product that the running app then serves', async () => {
    const created = await admin(
      ['create-user', '--email', adminEmail.toUpperCase(), '--name', 'Root Admin', '--role', 'admin'],
      env,
      `${PASSWORD}\n`,
    );
    assertDone(created);
    assert.match(created.stdout, new RegExp(`^Created ADMIN ${adminEmail} \\(id ${UUID.source}\\)`));
    const adminId = createdId(created);

    const customer = await admin(
      [
        'create-user',
        '--email',
        `shop-${schema}@example.com`,
        '--name',
        'Shopper',
        '--role',
        'CUSTOMER',
        '--generate-password',
      ],
      env,
    );
    assertDone(customer);
    const generated =
      /Password \(shown once, stored only as a hash\): (\S+)\n/.exec(customer.stdout)?.[1] ?? '';
    assert.match(generated, /^[A-Za-z0-9_-]{32}$/, 'a 32-character random password');
    const customerId = createdId(customer);

    // A taken address, in any case: refused, nothing changed (the admin still signs in with its password).
    const taken = await admin(
      ['create-user', '--email', adminEmail, '--name', 'Impostor', '--role', 'CUSTOMER'],
      env,
      'another-password-12\n',
    );
    assertExit(taken, 1, new RegExp(`${adminEmail} is already registered`));

    const product = await admin(
      [
        'create-product',
        '--name',
        'CLI <b>Lamp</b> & shade',
        '--description',
        'Line one\nline two',
        '--price-cents',
        '1999',
      ],
      env,
    );
    assertDone(product);
    assert.match(product.stdout, new RegExp(`^${UUID.source}\\n$`), 'only the id');
    const productId = product.stdout.trim();

    t = await startApp({ driver: 'pg', schema });
    adminHeaders = await signIn(t, adminEmail, PASSWORD);
    const viewer = await t.gql(VIEWER_ROLE, {}, adminHeaders);
    assert.deepEqual(viewer.body.data?.viewer, { id: adminId, email: adminEmail, role: 'ADMIN' });
    // Admin-only fields: user(id:) and createProduct.
    const other = await t.gql(USER, { id: customerId }, adminHeaders);
    assert.deepEqual(other.body.data?.user, {
      id: customerId,
      email: `shop-${schema}@example.com`,
      role: 'CUSTOMER',
    });
    // The same product through the API: the CLI stored exactly what createProduct stores.
    const viaApi = await t.gql(
      CREATE_PRODUCT,
      { input: { name: 'CLI <b>Lamp</b> & shade', description: 'Line one\nline two', priceCents: 1999 } },
      adminHeaders,
    );
    assertOk(viaApi);
    const listed = productNodes(await t.gql(PRODUCTS, { search: 'Lamp' }));
    const mine = listed.find((p) => p.id === productId);
    const theirs = listed.find((p) => p.id !== productId);
    assert.ok(mine && theirs, `both products listed: ${JSON.stringify(listed)}`);
    assert.deepEqual({ ...mine, id: '' }, { ...theirs, id: '' });

    // The customer signs in with the generated password, and is no admin.
    const customerHeaders = await signIn(t, `shop-${schema}@example.com`, generated);
    assertRefused(await t.gql(USER, { id: adminId }, customerHeaders), 'FORBIDDEN', 200, 'user');
  });

  it('lists a key created through the API without its secret, and revokes keys the running app then refuses', async () => {
    assert.ok(t, 'the app of the previous test');
    const app = t;
    const first = await createApiKey(app, { headers: adminHeaders }, ['PRODUCTS_READ', 'ORDERS_READ']);
    const second = await createApiKey(app, { headers: adminHeaders }, ['PRODUCTS_READ']);
    const read = (key: { headers: Record<string, string> }) =>
      app.gql('{ products(first: 1) { totalCount } }', {}, key.headers);
    assertOk(await read(first));

    const listed = await admin(['list-keys', '--email', adminEmail, '--json'], env);
    assertDone(listed);
    const keys = JSON.parse(listed.stdout) as Record<string, unknown>[];
    const entry = keys.find((k) => k.id === first.id);
    assert.deepEqual(
      { ...entry, createdAt: typeof entry?.createdAt },
      {
        id: first.id,
        name: 'test key',
        prefix: first.secret.slice(0, 12),
        scopes: ['PRODUCTS_READ', 'ORDERS_READ'],
        tier: null,
        createdAt: 'string',
        lastUsedAt: null,
        revokedAt: null,
      },
    );
    const table = await admin(['list-keys', '--email', adminEmail], env);
    assertDone(table);
    assert.match(table.stdout, /ID\s+NAME\s+PREFIX\s+SCOPES\s+TIER\s+CREATED\s+LAST USED\s+REVOKED/);
    assert.ok(table.stdout.includes(first.id) && table.stdout.includes(second.id), table.stdout);
    for (const key of [first, second]) {
      const hash = createHash('sha256').update(key.secret).digest('hex');
      for (const output of [listed.stdout, table.stdout]) {
        assert.ok(!output.includes(key.secret), 'no secret');
        assert.ok(!output.includes(hash), 'no hash');
      }
    }

    assertDone(await admin(['revoke-key', '--id', first.id], env));
    assertRefused(await read(first), 'UNAUTHENTICATED', 401);
    assertOk(await read(second));
    const again = await admin(['revoke-key', '--id', first.id], env);
    assertDone(again);
    assert.match(again.stdout, /already revoked/);

    const all = await admin(['revoke-key', '--email', adminEmail, '--all'], env);
    assertDone(all);
    assert.match(all.stdout, new RegExp(`^Revoked 1 active API key of ${adminEmail}\\.`));
    assertRefused(await read(second), 'UNAUTHENTICATED', 401);
    const final = JSON.parse((await admin(['list-keys', '--email', adminEmail, '--json'], env)).stdout) as {
      revokedAt: string | null;
    }[];
    assert.equal(final.length, 2);
    assert.ok(
      final.every((k) => k.revokedAt !== null),
      'both revoked',
    );

    assertExit(await admin(['revoke-key', '--id', randomUUIDLike()], env), 1, /no API key with the id/);
    assertExit(
      await admin(['list-keys', '--email', `nobody-${schema}@example.com`], env),
      1,
      /no user with the address/,
    );
  });
});

describe('admin CLI on PGlite (DATA_DIR)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sgql-admin-pglite-'));
  const env = { NODE_ENV: 'test', DATA_DIR: dataDir };
  const adminEmail = 'first-admin@example.com';
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes the directory the server then opens, and refuses clearly while the server holds it', async () => {
    assertDone(
      await admin(
        ['create-user', '--email', adminEmail, '--name', 'First', '--role', 'ADMIN'],
        env,
        PASSWORD,
      ),
    );
    const product = await admin(['create-product', '--name', 'First product', '--price-cents', '500'], env);
    assertDone(product);
    const productId = product.stdout.trim();

    let t = await startApp({ dataDir, keepData: true });
    let key: TestApiKey | undefined;
    try {
      const headers = await signIn(t, adminEmail, PASSWORD);
      assertOk(
        await t.gql(CREATE_PRODUCT, { input: { name: 'Second', description: '', priceCents: 1 } }, headers),
      );
      const names = productNodes(await t.gql(PRODUCTS, { search: 'First product' })).map((p) => p.id);
      assert.deepEqual(names, [productId]);
      key = await createApiKey(t, { headers }, ['PRODUCTS_READ']);

      // The server (this test process) holds the directory: refused, with the reason and the way out.
      const busy = await Promise.all([
        admin(['list-keys', '--email', adminEmail], env),
        admin(
          ['create-user', '--email', 'late@example.com', '--name', 'Late', '--role', 'ADMIN'],
          env,
          PASSWORD,
        ),
      ]);
      for (const result of busy) {
        assertExit(
          result,
          1,
          new RegExp(`is open in process ${process.pid}, most likely the running server`),
        );
        assert.match(
          result.stderr,
          /PGlite lets one process use a data directory at a time\. Stop the server/,
        );
      }
    } finally {
      await t.stop();
    }
    assert.ok(key, 'a key was created');

    const listed = await admin(['list-keys', '--email', adminEmail, '--json'], env);
    assertDone(listed);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { id: string }[]).map((k) => k.id),
      [key.id],
    );
    assertDone(await admin(['revoke-key', '--id', key.id], env));

    t = await startApp({ dataDir, keepData: true });
    try {
      assertRefused(
        await t.gql('{ products(first: 1) { totalCount } }', {}, key.headers),
        'UNAUTHENTICATED',
        401,
      );
      // The refused create-user wrote nothing.
      assertRefused(
        await login(t, 'late@example.com', PASSWORD, randomIp()),
        'UNAUTHENTICATED',
        200,
        'login',
      );
    } finally {
      await t.stop();
    }
  });
});
