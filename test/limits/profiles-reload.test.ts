import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dropSchema, TEST_JWT_SECRET } from '../helpers/app.js';
import { TEST_DATABASE_URL } from '../helpers/env.js';
import { postGraphql } from '../helpers/graphql.js';
import { profilesFile, tightForAnonymous } from '../helpers/profiles.js';
import { startServerProcess } from '../helpers/process.js';

// SIGHUP reloads PROFILES_FILE in a real server process while clients keep sending requests: every
// request is answered (200 or the profile's 400, never a dropped connection or a 5xx), a good file
// takes effect, a bad one is refused with the reason in the log and the previous profiles stay.

const THREE_ALIASES = '{ a: __typename b: __typename c: __typename }';

async function waitFor(output: () => string, text: string, from: number): Promise<string> {
  for (const started = Date.now(); Date.now() - started < 10_000;) {
    const tail = output().slice(from);
    const line = tail.split('\n').find((l) => l.includes(text));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no "${text}" in:\n${output().slice(from)}`);
}

describe('client profiles: reload on SIGHUP under load', () => {
  it('a good file takes effect, a bad one keeps the old profiles, and no request is dropped', async () => {
    const file = profilesFile(tightForAnonymous('aliases: 1'));
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const dataDir = TEST_DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'sgql-reload-'));
    const server = await startServerProcess({
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      HTTP_RATE_LIMIT: '1000000',
      PROFILES_FILE: file,
      ...(TEST_DATABASE_URL
        ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema }
        : { DATA_DIR: dataDir ?? '' }),
    });
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        try {
          const res = await postGraphql(server.url, { query: THREE_ALIASES });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const load = Array.from({ length: 8 }, client);
    const status = async () => (await postGraphql(server.url, { query: THREE_ALIASES })).status;
    try {
      assert.equal(await status(), 400, 'the first file: one alias');

      // A good file: three aliases are fine from the next request on.
      writeFileSync(file, tightForAnonymous('aliases: 5'));
      let mark = server.output().length;
      server.child.kill('SIGHUP');
      await waitFor(server.output, 'client profiles reloaded', mark);
      assert.equal(await status(), 200);

      // A bad file (a misspelt key): refused with the reason, the previous profiles stay in force.
      writeFileSync(file, tightForAnonymous('alaises: 0'));
      mark = server.output().length;
      server.child.kill('SIGHUP');
      const line = await waitFor(server.output, 'client profiles not reloaded', mark);
      assert.match(line, /profiles\.tight.*alaises/);
      assert.equal(await status(), 200);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      running = false;
      await Promise.all(load);
      assert.equal(await server.stop(), 0);
      if (TEST_DATABASE_URL) await dropSchema(schema);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(
      [...statuses.keys()].sort(),
      [200, 400],
      `every answer a 200 or the first profile's 400: ${JSON.stringify([...statuses])}`,
    );
    assert.ok((statuses.get(200) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0);
  });
});
