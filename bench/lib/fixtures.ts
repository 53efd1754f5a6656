import pg from 'pg';
import { hashPassword } from '../../src/auth/passwords.js';
import { createTokenService, type TokenService } from '../../src/auth/tokens.js';
import { parseConfig } from '../../src/config.js';
import { createDb } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { seedDemoData } from '../../src/db/seed.js';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_SCHEMA, RUN_ID, projectEnv } from './env.js';
import { deleteRedisPrefix } from './redis-cleanup.js';

export interface Fixtures {
  schema: string;
  /** The customer whose orders the authenticated query reads. */
  userId: string;
  tokenVersion: number;
  productIds: string[];
  orderCount: number;
  /** A fresh access token for the customer (tokens live 15 minutes: mint one per measurement). */
  token(): Promise<string>;
  /** Inserts `count` more customers (no password: they only ever use minted tokens). */
  addUsers(count: number, label: string): Promise<{ id: string; token: string }[]>;
}

/**
 * Seeds the benchmark schema once: the demo catalogue (300 products, 3 reviews each, 3 users) and
 * 12 orders of 3 items for one customer. Every target then reads the same rows.
 */
export async function seedFixtures(schema: string): Promise<Fixtures> {
  const db = await createDb({ databaseUrl: BENCH_DATABASE_URL, schema, dataDir: './data' });
  try {
    await migrate(db);
    await seedDemoData(db, { hashPassword });
    const [user] = await db.query<{ id: string; token_version: number }>(
      "SELECT id, token_version FROM users WHERE email = 'alice@example.com'",
    );
    if (!user) throw new Error('seed did not create the demo customer');
    const products = await db.query<{ id: string; price_cents: number }>(
      'SELECT id, price_cents FROM products ORDER BY created_at DESC, id DESC',
    );
    const orderCount = 12;
    for (let i = 0; i < orderCount; i++) {
      const items = [0, 1, 2].map((j) => products[(i * 7 + j * 13) % products.length]!);
      const total = items.reduce((sum, p, j) => sum + p.price_cents * (j + 1), 0);
      await db.transaction(async (tx) => {
        const [order] = await tx.query<{ id: string }>(
          `INSERT INTO orders (owner_id, total_cents, ship_line1, ship_city, ship_postcode, ship_country, created_at)
           VALUES ($1, $2, '1 Bench Street', 'London', 'SW1A 1AA', 'GB', now() - $3 * interval '1 minute')
           RETURNING id`,
          [user.id, total, i],
        );
        await tx.query(
          `INSERT INTO order_items (order_id, position, product_id, quantity, unit_price_cents)
           SELECT $1, pos, pid, pos, price
             FROM unnest($2::uuid[], $3::int[]) WITH ORDINALITY AS x(pid, price, pos)`,
          [order!.id, items.map((p) => p.id), items.map((p) => p.price_cents)],
        );
      });
    }
    const tokens: TokenService = await createTokenService(parseConfig(projectEnv()));
    return {
      schema,
      userId: user.id,
      tokenVersion: user.token_version,
      productIds: products.map((p) => p.id),
      orderCount,
      token: async () => (await tokens.sign(user.id, user.token_version)).token,
      async addUsers(count, label) {
        const more = await createDb({ databaseUrl: BENCH_DATABASE_URL, schema, dataDir: './data' });
        try {
          const rows = await more.query<{ id: string; token_version: number }>(
            `INSERT INTO users (email, name)
             SELECT $1 || '-' || g || '@bench.example', 'Bench ' || g FROM generate_series(1, $2::int) AS g
             RETURNING id, token_version`,
            [`${label}-${Date.now()}`, count],
          );
          return Promise.all(
            rows.map(async (r) => ({ id: r.id, token: (await tokens.sign(r.id, r.token_version)).token })),
          );
        } finally {
          await more.close();
        }
      },
    };
  } finally {
    await db.close();
  }
}

/** Drops a benchmark schema (only ever one whose name starts with bench_). */
export async function dropBenchSchema(schema: string): Promise<void> {
  if (!/^bench_[a-z0-9_]+$/.test(schema)) throw new Error('refusing to drop a non-benchmark schema');
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Counts how many of `ids` are orders in the schema (the soak's "no acknowledged order lost"). */
export async function countOrders(schema: string, ids: readonly string[]): Promise<number> {
  if (!/^bench_[a-z0-9_]+$/.test(schema)) throw new Error('not a benchmark schema');
  const client = new pg.Client({
    connectionString: BENCH_DATABASE_URL,
    options: `-c search_path="${schema}",public`,
  });
  await client.connect();
  try {
    const r = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return r.rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Removes what a run left on the shared services: its PostgreSQL schema and its Redis keys. */
export async function removeRunData(): Promise<void> {
  await dropBenchSchema(BENCH_SCHEMA).catch((e: unknown) =>
    console.error(`could not drop ${BENCH_SCHEMA}: ${String(e)}`),
  );
  await deleteRedisPrefix(BENCH_REDIS_URL, `bench:${RUN_ID}:`);
}
