import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashPassword } from '../src/auth/passwords.js';
import { createDb } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { BENCH_DATABASE_URL, BENCH_SCHEMA, RUN_ID, commonHeaders, projectEnv } from './lib/env.js';
import { removeRunData } from './lib/fixtures.js';
import { firstCode, timedPost } from './lib/http.js';
import { startTarget, type TargetProcess } from './lib/processes.js';
import { busyWarning, fmt, machine, median, table, writeResults } from './lib/report.js';
import { startSmtpSink } from './lib/smtp-sink.js';

export interface EqualTimeOptions {
  benchDir: string;
  quick: boolean;
  /** Timed pairs per operation (one request on each path). */
  pairs: number;
}

/** Between two requests: the work queued after an answer (mail) finishes before the next is timed. */
const GAP_MS = 15;
const PASSWORD = 'bench-existing-password-1';
const WRONG = 'bench-wrong-password-000';

interface Operation {
  name: string;
  /** The two paths, as the issue names them. */
  paths: [string, string];
  /** The request body for path 0 (an existing account, account `i`) or path 1 (none). */
  body(path: 0 | 1, existing: string): string;
  /** Whether an answer is the one both paths must give. */
  expected(status: number, text: string): boolean;
}

const gql = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
const fresh = () => `fresh-${randomBytes(6).toString('hex')}@bench.example`;

const OPERATIONS: Operation[] = [
  {
    name: 'register',
    paths: ['taken address', 'new address'],
    body: (path, existing) =>
      gql('mutation($i: RegisterInput!) { register(input: $i) }', {
        i: { email: path === 0 ? existing : fresh(), password: 'bench-new-password-1', name: 'Bench' },
      }),
    expected: (status, text) => status === 200 && text.includes('"register":true'),
  },
  {
    name: 'requestPasswordReset',
    paths: ['existing account', 'unknown address'],
    body: (path, existing) =>
      gql('mutation($e: String!) { requestPasswordReset(email: $e) }', {
        e: path === 0 ? existing : fresh(),
      }),
    expected: (status, text) => status === 200 && text.includes('"requestPasswordReset":true'),
  },
  {
    name: 'login (wrong password)',
    paths: ['existing account', 'unknown address'],
    body: (path, existing) =>
      gql('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
        i: { email: path === 0 ? existing : fresh(), password: WRONG },
      }),
    expected: (status, text) => status === 200 && firstCode(text) === 'UNAUTHENTICATED',
  },
];

/** A distinct client address per request: the per-address limits are not what is measured. */
const clientIp = () => {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
};

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))] ?? NaN;
}

/**
 * Overlapping coefficient of two samples: the area both histograms share (1 = the same
 * distribution, 0 = disjoint), on √n bins between the pooled 1st and 99th percentiles.
 */
function overlap(a: readonly number[], b: readonly number[]): number {
  const bins = Math.max(5, Math.round(Math.sqrt(Math.min(a.length, b.length))));
  const pooled = [...a, ...b].sort((x, y) => x - y);
  const lo = quantile(pooled, 0.01);
  const hi = quantile(pooled, 0.99);
  const width = (hi - lo) / bins || 1;
  const hist = (xs: readonly number[]) => {
    const h = new Array<number>(bins).fill(0);
    for (const x of xs) h[Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)))]! += 1 / xs.length;
    return h;
  };
  const ha = hist(a);
  const hb = hist(b);
  return ha.reduce((sum, p, i) => sum + Math.min(p, hb[i] ?? 0), 0);
}

/** P(a sample of `a` is slower than one of `b`) over every pair (0.5: no difference). */
function probabilitySlower(a: readonly number[], b: readonly number[]): number {
  let wins = 0;
  for (const x of a) for (const y of b) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return wins / (a.length * b.length);
}

/** Verified accounts that exist before the run, all with one password (one hash, computed once). */
async function seedAccounts(count: number, label: string): Promise<string[]> {
  const db = await createDb({ databaseUrl: BENCH_DATABASE_URL, schema: BENCH_SCHEMA, dataDir: './data' });
  try {
    await migrate(db);
    const rows = await db.query<{ email: string }>(
      `INSERT INTO users (email, name, password_hash, email_verified_at)
       SELECT $1 || '-' || g || '@bench.example', 'Bench ' || g, $3, now() FROM generate_series(1, $2::int) AS g
       RETURNING email`,
      [`${label}-${RUN_ID}`, count, await hashPassword(PASSWORD)],
    );
    return rows.map((r) => r.email);
  } finally {
    await db.close();
  }
}

interface Result {
  operation: string;
  paths: [string, string];
  pairs: number;
  mediansMs: [number, number];
  p10Ms: [number, number];
  p90Ms: [number, number];
  /** Share of pairs in which the first path took longer. */
  firstSlowerInPairs: number;
  probabilityFirstSlower: number;
  overlap: number;
  unexpectedAnswers: number;
}

async function measure(
  url: string,
  op: Operation,
  accounts: readonly string[],
  pairs: number,
): Promise<Result> {
  const times: [number[], number[]] = [[], []];
  let unexpected = 0;
  let firstSlower = 0;
  const send = async (path: 0 | 1, existing: string) => {
    const r = await timedPost(url, op.body(path, existing), {
      ...commonHeaders(),
      'x-forwarded-for': clientIp(),
    });
    if (!op.expected(r.status, r.text)) unexpected++;
    await sleep(GAP_MS);
    return r.ms;
  };
  // Untimed warm-up on both paths (JIT, connection pool, argon2's dummy hash).
  for (let i = 0; i < 5; i++) {
    await send(0, accounts[accounts.length - 1 - i]!);
    await send(1, '');
  }
  for (let i = 0; i < pairs; i++) {
    // Each pair in a random order, so drift over the run falls on both paths alike.
    const order: (0 | 1)[] = Math.random() < 0.5 ? [0, 1] : [1, 0];
    const pair: [number, number] = [0, 0];
    for (const path of order) pair[path] = await send(path, accounts[i]!);
    times[0].push(pair[0]);
    times[1].push(pair[1]);
    if (pair[0] > pair[1]) firstSlower++;
  }
  const sorted = times.map((t) => [...t].sort((a, b) => a - b)) as [number[], number[]];
  return {
    operation: op.name,
    paths: op.paths,
    pairs,
    mediansMs: [median(times[0]), median(times[1])],
    p10Ms: [quantile(sorted[0], 0.1), quantile(sorted[1], 0.1)],
    p90Ms: [quantile(sorted[0], 0.9), quantile(sorted[1], 0.9)],
    firstSlowerInPairs: firstSlower / pairs,
    probabilityFirstSlower: probabilitySlower(times[0], times[1]),
    overlap: overlap(times[0], times[1]),
    unexpectedAnswers: unexpected,
  };
}

/**
 * Issue 13's equal time: register, requestPasswordReset and login, each timed on both paths (the
 * account exists / it does not), interleaved pair by pair against the production build with its
 * real mail transport (an SMTP sink). Reports the medians and how far the two distributions overlap.
 */
export async function runEqualTime(o: EqualTimeOptions): Promise<void> {
  const sink = await startSmtpSink();
  let target: TargetProcess | undefined;
  try {
    // One set of accounts per operation, so one operation's state (tokens, failures) cannot touch another's.
    const accounts: string[][] = [];
    for (const [i] of OPERATIONS.entries()) accounts.push(await seedAccounts(o.pairs + 5, `op${i}`));
    target = await startTarget(
      'project',
      join(o.benchDir, 'targets', 'project.ts'),
      projectEnv({ SMTP_URL: sink.url }),
      join(o.benchDir, 'results', 'logs', `${RUN_ID}-equal-time.log`),
    );
    const url = `${target.url}/graphql`;
    console.log(`machine: ${machine()}`);
    const results: Result[] = [];
    for (const [i, op] of OPERATIONS.entries()) {
      const r = await measure(url, op, accounts[i]!, o.pairs);
      results.push(r);
      console.log(
        `${op.name}: ${op.paths[0]} ${fmt.ms(r.mediansMs[0])}, ${op.paths[1]} ${fmt.ms(r.mediansMs[1])}, overlap ${(r.overlap * 100).toFixed(0)} %`,
      );
    }
    await sleep(500);
    const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
    const md = [
      `## Equal time: both paths of register, requestPasswordReset and login${o.quick ? ' (QUICK smoke run: not for publication)' : ''}`,
      '',
      `Machine: ${machine()}. Run: ${new Date().toISOString()}.`,
      ...(busyWarning() ? ['', `**${busyWarning()}**`, ''] : []),
      '',
      `The project in production mode (PostgreSQL, Redis, nodemailer to an SMTP sink on loopback), one request`,
      `at a time, ${o.pairs} pairs per operation: each pair is one request on each path, in a random`,
      `order, from its own client address, ${GAP_MS} ms apart; existing accounts are verified, one per pair.`,
      `Times are from sending to the last byte of the answer.`,
      '',
      table(
        [
          'operation',
          'path A',
          'median A',
          'path B',
          'median B',
          'p10–p90 A',
          'p10–p90 B',
          'A slower in … of pairs',
          'P(A > B)',
          'overlap',
          'unexpected answers',
        ],
        results.map((r) => [
          r.operation,
          r.paths[0],
          fmt.ms(r.mediansMs[0]),
          r.paths[1],
          fmt.ms(r.mediansMs[1]),
          `${fmt.ms(r.p10Ms[0])}–${fmt.ms(r.p90Ms[0])}`,
          `${fmt.ms(r.p10Ms[1])}–${fmt.ms(r.p90Ms[1])}`,
          pct(r.firstSlowerInPairs),
          r.probabilityFirstSlower.toFixed(2),
          pct(r.overlap),
          r.unexpectedAnswers,
        ]),
      ),
      '',
      '"A slower in … of pairs" and P(A > B) are 50 % / 0.50 when the paths cannot be told apart;',
      '"overlap" is the area the two time histograms share (√n bins; 100 % = the same distribution).',
      `Mails the sink received: ${sink.received} (register sends one on either path; a reset one for an existing account only).`,
    ].join('\n');
    console.log(`\n${md}\n`);
    const files = writeResults(join(o.benchDir, 'results'), o.quick ? 'equal-time-quick' : 'equal-time', md, {
      kind: 'equal-time',
      quick: o.quick,
      date: new Date().toISOString(),
      machine: machine(),
      gapMs: GAP_MS,
      mailsReceived: sink.received,
      results,
    });
    console.log(`written: ${files.join(', ')}`);
  } finally {
    await target?.stop().catch(() => undefined);
    await sink.close();
    await removeRunData();
  }
}
