import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TEST_JWT_SECRET } from '../helpers/app.js';
import { postGraphql } from '../helpers/graphql.js';
import { startServerProcess } from '../helpers/process.js';

const gql = (url: string, query: string, variables?: Record<string, unknown>) =>
  postGraphql(url, { query, variables });

/** The first capture of `pattern` in a process's output, waiting up to 10 s for it to appear. */
async function waitForLine(output: () => string, pattern: RegExp): Promise<string> {
  for (const started = Date.now(); Date.now() - started < 10_000;) {
    const found = pattern.exec(output())?.[1];
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${String(pattern)} in:
${output()}`);
}

describe('a real server process on PGlite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sgql-restart-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = {
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    HTTP_RATE_LIMIT: '10000',
  };

  it('seeds demo data on first start, keeps data across a restart, and shuts down gracefully on SIGTERM', async () => {
    const first = await startServerProcess(env);
    let registeredId: string;
    try {
      const products = await gql(first.url, '{ products(first: 1) { totalCount } }');
      assert.equal(
        (products.body.data?.products as { totalCount: number }).totalCount,
        300,
        'demo catalogue seeded',
      );
      const admin = await gql(first.url, 'mutation($i: LoginInput!) { login(input: $i) { user { role } } }', {
        i: { email: 'admin@example.com', password: 'admin-demo-password-1' },
      });
      assert.deepEqual(admin.body.data?.login, { user: { role: 'ADMIN' } }, 'demo admin can log in');
      // The walk-through's sign-up (docs/walkthrough.md): register, read the verification link in the development log, verify.
      const reg = await gql(first.url, 'mutation($i: RegisterInput!) { register(input: $i) }', {
        i: { email: 'Persist@Example.com', password: 'persist-password-123', name: 'Persist' },
      });
      assert.deepEqual(reg.body.data, { register: true }, reg.text);
      const link = await waitForLine(first.output, /"verificationLink":"([^"]+)"/);
      const verified = await gql(
        first.url,
        'mutation($t: String!) { verifyEmail(token: $t) { user { id } } }',
        { t: new URL(link).hash.replace(/^#token=/, '') },
      );
      registeredId = (verified.body.data?.verifyEmail as { user: { id: string } }).user.id;
    } finally {
      const code = await first.stop('SIGTERM');
      assert.equal(code, 0, `graceful shutdown exits 0:\n${first.output()}`);
      assert.match(first.output(), /shutting down/);
    }

    const second = await startServerProcess(env);
    try {
      const login = await gql(
        second.url,
        'mutation($i: LoginInput!) { login(input: $i) { user { id email } } }',
        {
          i: { email: 'persist@example.com', password: 'persist-password-123' },
        },
      );
      assert.deepEqual(login.body.data?.login, { user: { id: registeredId, email: 'persist@example.com' } });
      const products = await gql(second.url, '{ products(first: 1) { totalCount } }');
      assert.equal(
        (products.body.data?.products as { totalCount: number }).totalCount,
        300,
        'seeded once, not twice',
      );
      assert.doesNotMatch(second.output(), /seeded demo data/);
    } finally {
      assert.equal(await second.stop('SIGINT'), 0, second.output());
    }
  });
});
