import { mkdirSync } from 'node:fs';
import pg from 'pg';
import type { PGlite as PGliteType } from '@electric-sql/pglite';

/** Anything that runs one parameterised statement. Values only ever travel as parameters. */
export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a trusted multi-statement script with no parameters (migrations only). */
  exec(script: string): Promise<void>;
}

/** The one database interface the app uses, with two drivers behind it: `pg` and PGlite. */
export interface Db extends Queryable {
  readonly driver: 'pg' | 'pglite';
  /** Runs `fn` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Statements sent so far (tests count them to prove N+1 is gone). */
  readonly stats: { statements: number };
  /** Connections now: open, idle, and requests waiting for one (metrics). PGlite is one, in process. */
  pool(): { total: number; idle: number; waiting: number };
}

export interface DbOptions {
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to work in (created when missing); tests use one per run. */
  schema?: string | undefined;
  dataDir: string;
  /** Pool size for the pg driver. */
  maxConnections?: number;
  /** pg driver: the server cancels a statement running longer than this (PGlite runs in process). */
  statementTimeoutMs?: number | undefined;
}

export async function createDb(options: DbOptions): Promise<Db> {
  return options.databaseUrl ? createPgDb(options.databaseUrl, options) : createPgliteDb(options.dataDir);
}

// A schema name is an identifier and cannot be a bind parameter; it is validated by the config
// (^[a-z_][a-z0-9_]*$) and quoted here, so it can never carry SQL.
function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error('invalid schema name');
  return `"${name}"`;
}

async function createPgDb(url: string, options: DbOptions): Promise<Db> {
  const schema = options.schema;
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(schema ? { options: `-c search_path=${quoteIdent(schema)},public` } : {}),
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => undefined);
  const stats = { statements: 0 };
  const run = async <T>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) => {
    stats.statements++;
    const result = await client.query(text, params as unknown[] | undefined);
    return result.rows as T[];
  };
  return {
    driver: 'pg',
    stats,
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    query: (text, params) => run(pool, text, params),
    async exec(script) {
      stats.statements++;
      await pool.query(script);
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: (text, params) => run(client, text, params),
          exec: async (script) => {
            stats.statements++;
            await client.query(script);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}

async function createPgliteDb(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const db: PGliteType = await PGlite.create(`${dataDir.replace(/\/$/, '')}/pgdata`);
  const stats = { statements: 0 };
  return {
    driver: 'pglite',
    stats,
    pool: () => ({ total: 1, idle: 1, waiting: 0 }),
    async query<T>(text: string, params?: readonly unknown[]) {
      stats.statements++;
      const result = await db.query<T>(text, params as unknown[] | undefined);
      return result.rows;
    },
    async exec(script: string) {
      stats.statements++;
      await db.exec(script);
    },
    // PGlite has one connection; its transaction() holds it for the whole callback.
    transaction(fn) {
      return db.transaction((tx) =>
        fn({
          async query<T>(text: string, params?: readonly unknown[]) {
            stats.statements++;
            const result = await tx.query<T>(text, params as unknown[] | undefined);
            return result.rows;
          },
          async exec(script: string) {
            stats.statements++;
            await tx.exec(script);
          },
        }),
      );
    },
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      await db.close();
    },
  };
}
