import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/process.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs examples/walkthrough.sh with bash, as a reader would, and collects what it prints. */
function runWalkthrough(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['examples/walkthrough.sh'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/walkthrough.sh against `npm start`’s server (development mode, demo data)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sgql-walkthrough-'));
  // The server writes its log to a file, as `npm start > server.log` would: the script reads the
  // verification link of its sign-up step from it (the development mailer logs each mail).
  const logFile = join(root, 'server.log');
  let server: ChildProcess | undefined;
  let apiUrl = '';

  before(async () => {
    const port = await freePort();
    const fd = openSync(logFile, 'a');
    // src/main.ts exactly as `npm start` runs it (from source here, to skip the build): no
    // JWT_SECRET, no DATABASE_URL, no REDIS_URL, so PGlite, in-memory stores and the demo seed.
    server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: join(root, 'data'),
      },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const started = Date.now();
    while (!readFileSync(logFile, 'utf8').includes('"msg":"listening"')) {
      if (server.exitCode !== null) throw new Error(`server exited early:\n${readFileSync(logFile, 'utf8')}`);
      if (Date.now() - started > 90_000)
        throw new Error(`server did not start:\n${readFileSync(logFile, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    apiUrl = `http://127.0.0.1:${port}/graphql`;
  });

  after(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('runs every step as written and exits 0', { timeout: 120_000 }, async () => {
    const run = await runWalkthrough({ API_URL: apiUrl, SERVER_LOG: logFile });
    assert.equal(run.code, 0, `exit code\n${run.stdout}\n${run.stderr}`);
    for (const line of [
      'extensions.cost.requested',
      'estimateCost prices { products(first: 50) { edges { node { id } } } } at 101',
      'verifyEmail(token from the server log) activates the account and signs in',
      'sets the __Host-sgql_refresh cookie',
      "bob asking for alice's order: NOT_FOUND",
      'updateProfile with a role: 400 GRAPHQL_VALIDATION_FAILED',
      // The corrected step 4: five wrong passwords are answered, the 6th is delayed by 1 s, and
      // the demo accounts still sign in from the same network afterwards.
      ': UNAUTHENTICATED each time',
      'the 6th at once: RATE_LIMITED, retryAfter 1 s',
      'bob, from the same network, still signs in',
      'user(id: alice) as the admin, email included',
      'revokeApiKey, then the key: 401 UNAUTHENTICATED',
      'the old cookie again: UNAUTHENTICATED',
      'RATE_LIMITED, retryAfter',
      'The walk-through ran as written.',
    ]) {
      assert.ok(run.stdout.includes(line), `expected "${line}" in\n${run.stdout}`);
    }
    assert.equal(run.stderr, '', 'nothing unexpected printed');
    // A fresh server: 10 logins precede step 7 (alice, bob, six for the throttle, bob, admin), so the
    // 11th, the first of step 7, is the one the field limit refuses.
    assert.match(run.stdout, /login after 0 more: RATE_LIMITED/);
  });

  it('stops at the first unexpected answer, naming the step (here: no server at API_URL)', async () => {
    const port = await freePort();
    const run = await runWalkthrough({ API_URL: `http://127.0.0.1:${port}/graphql` });
    assert.notEqual(run.code, 0);
    assert.match(
      run.stderr,
      /UNEXPECTED in "0\. The server answers": no answer from http:\/\/127\.0\.0\.1:\d+\/graphql/,
    );
    assert.ok(!run.stdout.includes('1. Browse anonymously'), 'no later step ran');
  });
});
