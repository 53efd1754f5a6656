import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runMain, startServerProcess } from '../helpers/process.js';
import { PROD_MAIL, PROD_RESET_URL, PROD_SECRET } from './http-helpers.js';

// The real entry point (src/main.ts) as a process: production must refuse to start on a missing,
// short or example JWT_SECRET, naming the variable (never echoing the value).
describe('production refuses to start without a strong JWT_SECRET', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sgql-prod-start-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const base = {
    NODE_ENV: 'production',
    PASSWORD_RESET_URL: PROD_RESET_URL,
    ...PROD_MAIL,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
  };

  const cases: [string, Record<string, string>][] = [
    ['missing', {}],
    ['too short', { JWT_SECRET: 'short-secret-value' }],
    ['the example value', { JWT_SECRET: 'replace-with-at-least-32-random-bytes-in-production' }],
  ];
  for (const [name, env] of cases) {
    it(`JWT_SECRET ${name}: exit code 1, a message naming JWT_SECRET`, async () => {
      const { output, exited } = runMain({ ...base, ...env });
      const code = await exited;
      assert.equal(code, 1, output());
      assert.match(output(), /JWT_SECRET/);
      if (env.JWT_SECRET) assert.equal(output().includes(env.JWT_SECRET), false, 'the value is never echoed');
    });
  }

  it('SMTP_URL missing: exit code 1, a message naming SMTP_URL (verification and reset links need mail)', async () => {
    const { SMTP_URL: _omitted, ...withoutSmtp } = base;
    const { output, exited } = runMain({ ...withoutSmtp, JWT_SECRET: PROD_SECRET });
    assert.equal(await exited, 1, output());
    assert.match(output(), /SMTP_URL: is required in production/);
  });

  it('legitimate: a strong secret and SMTP_URL start and serve (behind a proxy saying https)', async () => {
    const server = await startServerProcess({ ...base, JWT_SECRET: PROD_SECRET, TRUST_PROXY: 'loopback' });
    try {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      assert.equal(res.status, 200);
      assert.equal(server.output().includes(PROD_SECRET), false);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
