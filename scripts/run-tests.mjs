#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's own test runner (node:test + tsx).
// Node 20 has no glob support in --test, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const filter = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts') && (filter.length === 0 || filter.some((f) => path.includes(f))))
      files.push(path);
  }
};
walk('test');
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
if (process.env.CI === 'true') {
  for (const name of ['DATABASE_URL', 'REDIS_URL']) {
    if (!process.env[name]) {
      console.error(`${name} must be set in CI: the PostgreSQL and Redis suites never skip there`);
      process.exit(1);
    }
  }
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
