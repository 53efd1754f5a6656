import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { createApp, type App } from '../../src/app.js';
import type { Mailer } from '../../src/auth/mailer.js';
import type { PasswordHasher } from '../../src/auth/passwords.js';
import { parseConfig, type RawEnv } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './env.js';
import { postGraphql, type GqlResponse } from './graphql.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789abcdef';

export interface StartOptions {
  /**
   * 'pg' (the PostgreSQL server at DATABASE_URL, in a fresh schema) or 'pglite' (a fresh directory).
   * Default: 'pg' when DATABASE_URL is set and no `dataDir` is given (a PGlite start costs ~2 s of
   * CPU, a schema ~0.1 s), else 'pglite'. The suites that are about PGlite ask for it by name.
   */
  driver?: 'pglite' | 'pg';
  /** Use the shared Redis at REDIS_URL under a fresh key prefix. */
  redis?: boolean | string;
  env?: RawEnv;
  /** Reuse a data dir / schema (restart tests). */
  dataDir?: string;
  schema?: string;
  /** Keep the data when stopping (restart tests). */
  keepData?: boolean;
  /** A mailer in place of SMTP_URL's (or the log): e.g. one that captures or counts messages. */
  mailer?: Mailer;
  /** Password hashing in place of argon2id's default (AppDeps.passwords): e.g. one that counts calls. */
  passwords?: PasswordHasher;
  /** Replaces schema/*.graphql (AppDeps.typeDefs): e.g. the real SDL plus a test-only field. */
  typeDefs?: string[];
  /** The clock of refresh sessions and login throttling (AppDeps.now): tests move it instead of sleeping. */
  now?: () => number;
  /** Where the app's spans go (AppDeps.traceExporter): e.g. an InMemorySpanExporter. */
  traceExporter?: SpanExporter;
}

export interface TestApp {
  app: App;
  url: string;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  rawLogs: string[];
  dataDir: string | undefined;
  schema: string | undefined;
  redisPrefix: string;
  gql: (
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) => Promise<GqlResponse>;
  post: (body: unknown, headers?: Record<string, string>) => Promise<GqlResponse>;
  stop: () => Promise<void>;
}

export async function startApp(options: StartOptions = {}): Promise<TestApp> {
  const id = randomBytes(6).toString('hex');
  const driver = options.driver ?? (TEST_DATABASE_URL && !options.dataDir ? 'pg' : 'pglite');
  let dataDir: string | undefined;
  let schema: string | undefined;
  if (driver === 'pg') {
    if (!TEST_DATABASE_URL) throw new Error('DATABASE_URL is required for the pg driver');
    schema = options.schema ?? `t_${id}`;
  } else {
    dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sgql-test-'));
  }
  const redisUrl =
    options.redis === true ? TEST_REDIS_URL : typeof options.redis === 'string' ? options.redis : undefined;
  if (options.redis && !redisUrl) throw new Error('REDIS_URL is required for this test');
  const redisPrefix = `test:${id}:`;

  const env: RawEnv = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    REDIS_PREFIX: redisPrefix,
    ...(driver === 'pg'
      ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema }
      : { DATA_DIR: dataDir }),
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...options.env,
  };
  const config = parseConfig(env);
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        rawLogs.push(line);
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not JSON: kept in rawLogs only
        }
      }
      cb();
    },
  });
  const app = await createApp({
    config,
    log: createLogger(config.logLevel, sink),
    ...(options.mailer ? { mailer: options.mailer } : {}),
    ...(options.passwords ? { passwords: options.passwords } : {}),
    ...(options.typeDefs ? { typeDefs: options.typeDefs } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.traceExporter ? { traceExporter: options.traceExporter } : {}),
  });
  const url = await app.listen();

  const post = (body: unknown, headers: Record<string, string> = {}) => postGraphql(url, body, headers);

  return {
    app,
    url,
    logs,
    rawLogs,
    dataDir,
    schema,
    redisPrefix,
    post,
    gql: (query, variables, headers) => post({ query, variables }, headers),
    async stop() {
      await app.stop();
      if (options.keepData) return;
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (schema && TEST_DATABASE_URL) await dropSchema(schema);
      if (redisUrl) await deleteRedisPrefix(redisUrl, redisPrefix);
    },
  };
}

/** Start options that reopen `t`'s database (restart tests), whichever driver it ran on. */
export const sameDatabase = (t: TestApp): StartOptions =>
  t.schema ? { driver: 'pg', schema: t.schema } : { driver: 'pglite', dataDir: t.dataDir };

export async function dropSchema(schema: string): Promise<void> {
  if (!/^t_[a-z0-9_]+$/.test(schema)) throw new Error('refusing to drop a non-test schema');
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // the Redis of a fault test may already be gone
  } finally {
    redis.disconnect();
  }
}

/**
 * For start-up tests that call createApp themselves: a test config on a fresh PGlite directory (not
 * created yet, so a test can check that nothing was opened), a silent logger, and the clean-up.
 */
export function startupFixture(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(root, 'db');
  const config = parseConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  });
  const log = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
  return { dataDir, config, log, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
