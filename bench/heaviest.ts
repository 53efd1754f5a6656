import { join } from 'node:path';
import { createDb } from '../src/db/client.js';
import { toSafeText } from '../src/text/safe-text.js';
import { BENCH_DATABASE_URL, BENCH_SCHEMA, RUN_ID, commonHeaders, projectEnv } from './lib/env.js';
import { removeRunData, seedFixtures } from './lib/fixtures.js';
import { firstCode, timedPost } from './lib/http.js';
import { startTarget, type TargetProcess } from './lib/processes.js';
import { busyWarning, fmt, machine, table, writeResults } from './lib/report.js';

export interface HeaviestOptions {
  benchDir: string;
  quick: boolean;
  /** Heavy operations sent one after another while the bystander measures. */
  repeats: number;
}

// The attack of issue 12, built with one ordinary customer: 20 reviews of 2,000 `<` on one
// product (stored safe, 8,000 characters each), ten orders of 50 items of that product, then
// every order's items' product's reviews.
const ATTACK = `{ myOrders(first: 10) { edges { node { items { product { reviews(first: 20) { edges { node { body } } } } } } } } }`;
// The heaviest form the production defaults price under MAX_COST (5,000): two orders instead of
// ten (1 + 2 × (1 + 2,151) = 4,305 points) — 2,000 bodies, about 16 MB if it were built whole.
const WORST_ALLOWED = ATTACK.replace('myOrders(first: 10)', 'myOrders(first: 2)');
const BYSTANDER = JSON.stringify({ query: '{ health }' });
const BYSTANDER_INTERVAL_MS = 10;

interface Row {
  label: string;
  status: number;
  code: string;
  medianMs: number;
  bytes: number;
  bystanderP99: number;
  bystanderMax: number;
  bystanderCount: number;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

/** Seeds the attacker's data in the benchmark schema; returns the attacker's access token. */
async function seedAttack(addUser: () => Promise<{ id: string; token: string }>): Promise<string> {
  const attacker = await addUser();
  const db = await createDb({ databaseUrl: BENCH_DATABASE_URL, schema: BENCH_SCHEMA, dataDir: './data' });
  try {
    const [product] = await db.query<{ id: string; price_cents: number }>(
      'SELECT id, price_cents FROM products ORDER BY created_at LIMIT 1',
    );
    if (!product) throw new Error('no product to review');
    // What addReview stores for a body of 2,000 `<` since sanitize-on-write.
    const body = toSafeText('<'.repeat(2000));
    await db.query(
      `INSERT INTO reviews (product_id, author_id, rating, body)
       SELECT $1, $2, 1, $3 FROM generate_series(1, 20)`,
      [product.id, attacker.id, body],
    );
    for (let i = 0; i < 10; i++) {
      await db.transaction(async (tx) => {
        const [order] = await tx.query<{ id: string }>(
          `INSERT INTO orders (owner_id, total_cents, ship_line1, ship_city, ship_postcode, ship_country)
           VALUES ($1, $2, '1 Bench Street', 'London', 'SW1A 1AA', 'GB') RETURNING id`,
          [attacker.id, product.price_cents * 50],
        );
        await tx.query(
          `INSERT INTO order_items (order_id, position, product_id, quantity, unit_price_cents)
           SELECT $1, g, $2, 1, $3 FROM generate_series(1, 50) AS g`,
          [order!.id, product.id, product.price_cents],
        );
      });
    }
  } finally {
    await db.close();
  }
  return attacker.token;
}

/** Sends `query` `repeats` times in a row while a bystander asks `{ health }` every 10 ms. */
async function measure(
  url: string,
  token: string,
  label: string,
  query: string,
  repeats: number,
): Promise<Row> {
  const headers = { ...commonHeaders(), authorization: `Bearer ${token}` };
  // Warm-up, untimed: the first requests of a fresh process pay for JIT compilation and pools.
  for (let i = 0; i < 20; i++) await timedPost(url, BYSTANDER, commonHeaders());
  for (let i = 0; i < 2; i++) await timedPost(url, JSON.stringify({ query }), headers);
  const bystander: number[] = [];
  let running = true;
  const watch = (async () => {
    while (running) {
      const r = await timedPost(url, BYSTANDER, commonHeaders());
      bystander.push(r.ms);
      await new Promise((resolve) => setTimeout(resolve, BYSTANDER_INTERVAL_MS));
    }
  })();
  const times: number[] = [];
  let last = { status: 0, text: '' };
  try {
    for (let i = 0; i < repeats; i++) {
      const r = await timedPost(url, JSON.stringify({ query }), headers);
      times.push(r.ms);
      last = r;
    }
  } finally {
    running = false;
    await watch;
  }
  return {
    label,
    status: last.status,
    code: firstCode(last.text),
    medianMs: quantile(times, 0.5),
    bytes: Buffer.byteLength(last.text),
    bystanderP99: quantile(bystander, 0.99),
    bystanderMax: Math.max(...bystander),
    bystanderCount: bystander.length,
  };
}

/**
 * The heaviest operation the limits allow, built with ordinary accounts (issue 12): its time,
 * its response size, and the p99 latency of another client's small query while it runs.
 * Target: that p99 under 100 ms, and no response over MAX_RESPONSE_BYTES.
 */
export async function runHeaviest(o: HeaviestOptions): Promise<void> {
  const env = projectEnv({ COST_BUDGET_PER_HOUR: '100000000' });
  let target: TargetProcess | undefined;
  try {
    const fx = await seedFixtures(BENCH_SCHEMA);
    const token = await seedAttack(async () => (await fx.addUsers(1, 'attacker'))[0]!);
    target = await startTarget(
      'project',
      join(o.benchDir, 'targets', 'project.ts'),
      env,
      join(o.benchDir, 'results', 'logs', `${RUN_ID}-heaviest.log`),
    );
    const url = `${target.url}/graphql`;
    const rows = [
      await measure(
        url,
        token,
        'attack: myOrders(first: 10) … reviews(first: 20) { body }',
        ATTACK,
        o.repeats,
      ),
      await measure(url, token, 'worst allowed by MAX_COST: myOrders(first: 2) …', WORST_ALLOWED, o.repeats),
    ];
    const md = [
      `## The heaviest operation the limits allow${o.quick ? ' (QUICK smoke run: not for publication)' : ''}`,
      '',
      `Machine: ${machine()}. Run: ${new Date().toISOString()}.`,
      ...(busyWarning() ? ['', `**${busyWarning()}**`, ''] : []),
      '',
      'The project in production mode with its default limits (MAX_COST 5000, MAX_RESPONSE_ITEMS 5000,',
      'MAX_RESPONSE_BYTES 4 MiB). One customer holds 20 reviews of 2,000 `<` (stored safe: 8,000',
      'characters each) on one product and ten orders of 50 items of it. Each operation is sent',
      `${o.repeats} times in a row while another client sends \`{ health }\` every ${BYSTANDER_INTERVAL_MS} ms.`,
      '',
      table(
        [
          'operation',
          'status / code',
          'time (median)',
          'response',
          "other client's p99",
          'its max',
          'samples',
        ],
        rows.map((r) => [
          r.label,
          `${r.status} ${r.code}`,
          fmt.ms(r.medianMs),
          `${(r.bytes / 1024).toFixed(1)} KB`,
          fmt.ms(r.bystanderP99),
          fmt.ms(r.bystanderMax),
          r.bystanderCount,
        ]),
      ),
      '',
      `- target: the other client's p99 under 100 ms: ${rows.every((r) => r.bystanderP99 < 100) ? 'met' : 'NOT MET'}; no response over the size cap: ${rows.every((r) => r.bytes <= 4 * 1024 * 1024) ? 'met' : 'NOT MET'}.`,
    ].join('\n');
    console.log(`\n${md}\n`);
    const files = writeResults(join(o.benchDir, 'results'), o.quick ? 'heaviest-quick' : 'heaviest', md, {
      kind: 'heaviest',
      quick: o.quick,
      date: new Date().toISOString(),
      machine: machine(),
      rows,
    });
    console.log(`written: ${files.join(', ')}`);
  } finally {
    await target?.stop().catch(() => undefined);
    await removeRunData();
  }
}
