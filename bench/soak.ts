import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { parse, visit } from 'graphql';
import { loadTypeDefs } from '../src/schema.js';
import { BENCH_SCHEMA, RUN_ID, commonHeaders, projectEnv } from './lib/env.js';
import { countOrders, dropBenchSchema, seedFixtures } from './lib/fixtures.js';
import { HOSTILE_CLASSES, hostileBody } from './lib/hostile.js';
import { firstCode, timedPost } from './lib/http.js';
import { startLoadGenerator, type LoadGenerator } from './lib/load.js';
import type { LoadRequest, LoadResult } from './lib/load-types.js';
import { SERVER_CORE, spawnNode } from './lib/processes.js';
import { CATALOGUE_QUERY, MY_ORDERS_QUERY } from './lib/queries.js';
import { busyWarning, machine, table, writeResults } from './lib/report.js';

export interface SoakOptions {
  benchDir: string;
  quick: boolean;
  connections: number;
}

const CREATE_ORDER = `mutation Buy($input: CreateOrderInput!) { createOrder(input: $input) { id totalCents } }`;
const ADDRESS = { line1: '1 Soak Street', city: 'London', postcode: 'SW1A 1AA', country: 'GB' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The `limit` of `@rateLimit` on a Mutation field, read from the SDL (so the check follows the schema). */
function mutationRateLimit(field: string): number | undefined {
  let limit: number | undefined;
  for (const sdl of loadTypeDefs()) {
    visit(parse(sdl), {
      FieldDefinition(node) {
        if (node.name.value !== field) return;
        const d = node.directives?.find((x) => x.name.value === 'rateLimit');
        const arg = d?.arguments?.find((a) => a.name.value === 'limit');
        if (arg?.value.kind === 'IntValue') limit = Number(arg.value.value);
      },
    });
  }
  return limit;
}

/** A test-owned redis-server on its own port: never the shared 6379, never persisted. */
class OwnedRedis {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly logFile: string,
  ) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--logfile',
        this.logFile,
      ],
      { stdio: 'ignore' },
    );
    // Ready when it accepts a connection (bounded: 10 s).
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const c = connect(this.port, '127.0.0.1');
        c.once('connect', () => {
          c.destroy();
          resolve(true);
        });
        c.once('error', () => resolve(false));
      });
      if (up) return;
      await sleep(100);
    }
    throw new Error('test redis-server did not start');
  }
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}

/** One app instance: the real entry point (src/main.ts), so SIGTERM runs the real drain. */
class Instance {
  child: ChildProcess | undefined;
  exitCode: number | null = null;
  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string | undefined>,
    private readonly logFile: string,
    private readonly mainFile: string,
  ) {}
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.child = spawnNode({
      file: this.mainFile,
      core: SERVER_CORE,
      env: { ...this.env, PORT: String(this.port) },
      logFile: this.logFile,
    });
    for (let i = 0; i < 300; i++) {
      if (this.child.exitCode !== null)
        throw new Error(`${this.name} exited during start (log: ${this.logFile})`);
      const ok = await fetch(`${this.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await sleep(100);
    }
    throw new Error(`${this.name} did not become healthy (log: ${this.logFile})`);
  }
  /** SIGTERM and wait for the process to exit (bounded: 20 s, then SIGKILL). */
  async terminate(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    this.exitCode = code;
    return code;
  }
}

interface ExactCheck {
  when: string;
  limit: number | undefined;
  sent: number;
  succeeded: number;
  rateLimited: number;
  other: string[];
  exact: boolean;
  orderIds: string[];
}

export async function runSoak(o: SoakOptions): Promise<void> {
  const logDir = join(o.benchDir, 'results', 'logs');
  const mainFile = join(o.benchDir, '..', 'src', 'main.ts');
  // Timeline (seconds from the start of the load).
  const T = o.quick
    ? { total: 70, exactBefore: 3, redisDown: 10, redisUp: 30, exactAfter: 34, sigterm: 45 }
    : { total: 180, exactBefore: 5, redisDown: 40, redisUp: 60, exactAfter: 65, sigterm: 110 };
  const redis = new OwnedRedis(await freePort(), join(logDir, `${RUN_ID}-soak-redis.log`));
  const instances: Instance[] = [];
  let load: LoadGenerator | undefined;
  const events: { t: number; event: string }[] = [];
  let t0 = Date.now();
  const mark = (event: string) => {
    const t = (Date.now() - t0) / 1000;
    events.push({ t, event });
    console.log(`[${t.toFixed(1).padStart(6)} s] ${event}`);
  };
  console.log(`machine: ${machine()}`);
  try {
    const fixtures = await seedFixtures(BENCH_SCHEMA);
    mkdirSync(logDir, { recursive: true });
    await redis.start();
    const env = projectEnv({ REDIS_URL: redis.url, LOG_LEVEL: 'info' });
    const metricsUrls = new Map<string, string>();
    for (const name of ['a', 'b']) {
      // Each instance serves its metrics on a port of its own (issue 17: curl them during the soak).
      const metricsPort = await freePort();
      metricsUrls.set(name, `http://127.0.0.1:${metricsPort}/metrics`);
      const inst = new Instance(
        name,
        await freePort(),
        { ...env, METRICS_PORT: String(metricsPort) },
        join(logDir, `${RUN_ID}-soak-${name}.log`),
        mainFile,
      );
      await inst.start();
      instances.push(inst);
      console.log(`instance ${name} on ${inst.url}`);
    }
    const b = instances[1]!;
    load = await startLoadGenerator(o.benchDir, join(logDir, `${RUN_ID}-soak-load.log`));

    // Mixed traffic: legitimate reads and orders from 20 customers, and every hostile class.
    const buyers = await fixtures.addUsers(20, `soak-${RUN_ID}`);
    const product = fixtures.productIds[0]!;
    const h = commonHeaders();
    const post = (tag: string, body: string, headers: Record<string, string> = {}): LoadRequest => ({
      method: 'POST',
      path: '/graphql',
      headers: { ...h, 'x-request-id': `soak.${tag}`, ...headers },
      body,
      tag,
    });
    const q = (query: string, variables?: unknown) => JSON.stringify({ query, variables });
    const mix = (offset: number): LoadRequest[] => {
      const list: LoadRequest[] = [];
      for (let i = 0; i < 10; i++) {
        const buyer = buyers[(i + offset) % buyers.length]!;
        const auth = { authorization: `Bearer ${buyer.token}` };
        list.push(post('typename', q('{ __typename }')));
        list.push(post('catalogue', q(CATALOGUE_QUERY)));
        list.push(post('myOrders', q(MY_ORDERS_QUERY), auth));
        list.push(
          post(
            'createOrder',
            q(CREATE_ORDER, {
              input: { items: [{ productId: product, quantity: 1 }], shippingAddress: ADDRESS },
            }),
            auth,
          ),
        );
      }
      for (const kind of HOSTILE_CLASSES) {
        list.push(post(`hostile:${kind}`, hostileBody(kind, 10 * 1024)));
      }
      list.push(post('hostile:bad-token', q('{ __typename }'), { authorization: 'Bearer not.a.token' }));
      list.push(post('hostile:malformed-json', '{"query": "{ __typename }"'));
      list.push(post('hostile:oversized', hostileBody('aliases', 200 * 1024)));
      list.push(post('hostile:introspection', q('{ __schema { types { name } } }')));
      list.push(post('hostile:unknown-field', q('{ produts(first: 1) { totalCount } }')));
      return list;
    };

    const limit = mutationRateLimit('createOrder');
    const exactCheck = async (when: string): Promise<ExactCheck> => {
      const [fresh] = await fixtures.addUsers(1, `exact-${when}-${RUN_ID}`);
      const sent = (limit ?? 20) + 5;
      const result: ExactCheck = {
        when,
        limit,
        sent,
        succeeded: 0,
        rateLimited: 0,
        other: [],
        exact: false,
        orderIds: [],
      };
      const body = q(CREATE_ORDER, {
        input: { items: [{ productId: product, quantity: 1 }], shippingAddress: ADDRESS },
      });
      // All at once, alternating instances: the limit must hold across them and under concurrency
      // (one shared Redis counter, atomic increments).
      const answers = await Promise.all(
        Array.from({ length: sent }, (_, i) =>
          timedPost(`${instances[i % 2]!.url}/graphql`, body, {
            ...h,
            authorization: `Bearer ${fresh!.token}`,
          }).catch((e: unknown) => ({ status: 0, text: String(e), ms: 0 })),
        ),
      );
      for (const r of answers) {
        const id = (() => {
          try {
            return (JSON.parse(r.text) as { data?: { createOrder?: { id?: string } } }).data?.createOrder?.id;
          } catch {
            return undefined;
          }
        })();
        if (id) {
          result.succeeded++;
          result.orderIds.push(id);
        } else if (firstCode(r.text) === 'RATE_LIMITED' || r.status === 429) result.rateLimited++;
        else result.other.push(`${r.status} ${firstCode(r.text)}`);
      }
      result.exact = limit !== undefined && result.succeeded === limit && result.rateLimited === sent - limit;
      mark(
        `rate limit check (${when}): createOrder limit ${limit ?? '?'}: ${result.succeeded} accepted, ${result.rateLimited} RATE_LIMITED, other [${result.other.join(', ')}] → ${result.exact ? 'exact' : 'NOT EXACT'}`,
      );
      return result;
    };

    const perInstance = Math.max(1, Math.floor(o.connections / 2));
    // Instance a runs from start to end: its counters before and after the load tell what moved.
    const metricsA = metricsUrls.get('a')!;
    const metricsBefore = await scrapeMetrics(metricsA);
    t0 = Date.now();
    mark(`load starts: ${perInstance} connections to each instance for ${T.total} s`);
    const loadDone = load.run(
      instances.map((inst, i) => ({
        url: inst.url,
        connections: perInstance,
        duration: T.total,
        requests: mix(i * 10),
        verify: 'none' as const,
        inspect: true,
        timeout: 15,
      })),
    );
    const at = async (second: number) => {
      const wait = t0 + second * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
    };
    const checks: ExactCheck[] = [];
    await at(T.exactBefore);
    checks.push(await exactCheck('before-redis-outage'));
    await at(T.redisDown);
    await redis.kill();
    mark('redis-server killed (SIGKILL)');
    await at(T.redisUp);
    await redis.start();
    mark('redis-server restarted (empty: no persistence)');
    await at(T.exactAfter);
    checks.push(await exactCheck('after-redis-returns'));
    await at(T.sigterm);
    mark('instance b: SIGTERM');
    const drainStart = Date.now();
    const exitCode = await b.terminate();
    mark(`instance b exited with code ${exitCode}; restarting`);
    await b.start();
    const drainEnd = Date.now() + 1000;
    mark('instance b healthy again');
    const results: LoadResult[] = await loadDone;
    mark('load finished');
    await sleep(1000);
    const metricsAfter = await scrapeMetrics(metricsA);
    const metrics = metricsReport(metricsBefore, metricsAfter);

    // ── Accounting ──────────────────────────────────────────────────────────────────────────
    const acknowledged = [
      ...results.flatMap((r) => r.inspection?.createdOrderIds ?? []),
      ...checks.flatMap((c) => c.orderIds),
    ];
    const unique = [...new Set(acknowledged)];
    const found = unique.length ? await countOrders(BENCH_SCHEMA, unique) : 0;
    const served = results.reduce((s, r) => s + r.total, 0);
    const fiveXx = results.flatMap((r) => r.inspection?.fiveXxTimes ?? []);
    const inDrain = fiveXx.filter((t) => t >= drainStart && t <= drainEnd).length;
    const outside = fiveXx.length - inDrain;
    const unmasked = results.reduce((s, r) => s + (r.inspection?.unmaskedCount ?? 0), 0);
    const samples = results.flatMap((r) => r.inspection?.unmaskedSamples ?? []).slice(0, 10);
    const connErrors = results.reduce((s, r) => s + r.errors, 0);
    const errorTimes = results.flatMap((r) => r.inspection?.errorTimes ?? []);
    const connErrorsOutside = errorTimes.filter((t) => t < drainStart || t > drainEnd).length;
    const timeouts = results.reduce((s, r) => s + r.timeouts, 0);
    const byTag: Record<string, Record<string, number>> = {};
    for (const r of results) {
      for (const [tag, counts] of Object.entries(r.inspection?.byTag ?? {})) {
        const into = (byTag[tag] ??= {});
        for (const [status, n] of Object.entries(counts)) into[status] = (into[status] ?? 0) + n;
      }
    }
    const codes: Record<string, number> = {};
    for (const r of results)
      for (const [c, n] of Object.entries(r.inspection?.errorCodes ?? {})) codes[c] = (codes[c] ?? 0) + n;

    const tagRows = Object.entries(byTag)
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([tag, counts]) => [
        tag,
        Object.entries(counts)
          .map(([s, n]) => `${s}: ${n}`)
          .join(', '),
      ]);
    const md = [
      ...metrics.lines,
      '',
      `## Load and fault run${o.quick ? ' (QUICK smoke run: not for publication)' : ''}`,
      '',
      `Machine: ${machine()}.`,
      ...(busyWarning() ? ['', `**${busyWarning()}**`, ''] : []),
      `Run: ${new Date().toISOString()}, ${T.total} s of mixed legitimate and hostile traffic, ${perInstance * 2} connections over two instances of \`src/main.ts\` (production, shared PostgreSQL, a test-owned redis-server on port ${redis.port}). Timeline: ${events.map((e) => `${e.t.toFixed(0)} s ${e.event.split(/[:(]/)[0]!.trim()}`).join('; ')}.`,
      '',
      table(
        ['measure', 'value', 'target'],
        [
          ['requests answered', served.toLocaleString('en-US'), '—'],
          ['5xx outside the drain window', outside, '0'],
          ['5xx inside the drain window', inDrain, '—'],
          [
            'connection errors (all / outside the restart window) / timeouts',
            `${connErrors} / ${connErrorsOutside} / ${timeouts}`,
            '— / 0 / 0',
          ],
          ['unmasked errors', unmasked, '0'],
          ...checks.map((c) => [
            `rate limit exact ${c.when}`,
            `${c.succeeded} accepted + ${c.rateLimited} refused of ${c.sent} (limit ${c.limit ?? '?'})`,
            c.exact ? 'exact' : 'NOT EXACT',
          ]),
          ['acknowledged orders found in the database', `${found} of ${unique.length}`, 'all'],
          ['instance b exit code after SIGTERM', String(exitCode), '0'],
        ],
      ),
      '',
      'Responses by kind (HTTP status: count; a kind ending in ? could not be attributed by its echoed X-Request-Id):',
      '',
      table(['kind', 'statuses'], tagRows),
      '',
      `Error codes seen: ${
        Object.entries(codes)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ') || 'none'
      }.`,
      ...(samples.length
        ? ['', 'Unmasked samples:', '', ...samples.map((s) => `- \`${s.replace(/`/g, "'")}\``)]
        : []),
    ].join('\n');
    console.log(`\n${md}\n`);
    const files = writeResults(join(o.benchDir, 'results'), o.quick ? 'soak-quick' : 'soak', md, {
      kind: 'soak',
      quick: o.quick,
      date: new Date().toISOString(),
      machine: machine(),
      events,
      served,
      fiveXxOutsideDrain: outside,
      fiveXxInDrain: inDrain,
      connErrors,
      connErrorsOutside,
      timeouts,
      unmasked,
      unmaskedSamples: samples,
      checks,
      acknowledgedOrders: unique.length,
      foundOrders: found,
      exitCode,
      byTag,
      codes,
      results: results.map((r) => ({
        ...r,
        inspection: r.inspection && { ...r.inspection, errorTimes: undefined, fiveXxTimes: undefined },
      })),
    });
    console.log(`written: ${files.join(', ')}`);
  } finally {
    await load?.stop().catch(() => undefined);
    for (const inst of instances) await inst.terminate().catch(() => undefined);
    await redis.kill().catch(() => undefined);
    await dropBenchSchema(BENCH_SCHEMA).catch((e: unknown) =>
      console.error(`could not drop ${BENCH_SCHEMA}: ${String(e)}`),
    );
  }
}

/** One scrape of a metrics endpoint: every sample, keyed by its series (name and labels as printed). */
async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/**
 * What instance a's counters did over the soak, and whether each moved as the traffic mix says:
 * legitimate answers, refusals and GraphQL errors, the hostile classes' security events, the Redis
 * outage's two failovers, and the cost histograms.
 */
function metricsReport(
  before: Map<string, number>,
  after: Map<string, number>,
): { lines: string[]; ok: boolean } {
  const FAMILIES =
    /^(graphql_requests_total|security_events_total|limiter_store_failovers_total|graphql_cost_actual_count|graphql_cost_requested_count|graphql_cost_budget_remaining_ratio_count)\b/;
  const delta = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
  const sum = (match: (series: string) => boolean) =>
    [...after.keys()].filter(match).reduce((total, series) => total + delta(series), 0);
  const rows = [...after.keys()]
    .filter((series) => FAMILIES.test(series) && delta(series) !== 0)
    .sort()
    .map((series) => [series, delta(series)]);
  const has =
    (name: string, ...labels: string[]) =>
    (series: string) =>
      series.startsWith(`${name}{`) && labels.every((l) => series.includes(l));
  const expectations: [string, number, (n: number) => boolean][] = [
    ['requests answered ok', sum(has('graphql_requests_total', 'outcome="ok"')), (n) => n > 0],
    ['requests refused (4xx)', sum(has('graphql_requests_total', 'outcome="refused"')), (n) => n > 0],
    [
      'requests with GraphQL errors',
      sum(has('graphql_requests_total', 'outcome="graphql_error"')),
      (n) => n > 0,
    ],
    [
      'validation_failure events (hostile documents)',
      sum(has('security_events_total', 'event="validation_failure"')),
      (n) => n > 0,
    ],
    [
      'auth_failure events (forged tokens)',
      sum(has('security_events_total', 'event="auth_failure"')),
      (n) => n > 0,
    ],
    [
      'limit_hit events (the createOrder limit checks)',
      sum(has('security_events_total', 'event="limit_hit"')),
      (n) => n > 0,
    ],
    [
      'failovers to memory (Redis killed)',
      sum(has('limiter_store_failovers_total', 'to="memory"')),
      (n) => n >= 1,
    ],
    ['failovers back to Redis', sum(has('limiter_store_failovers_total', 'to="redis"')), (n) => n >= 1],
    [
      'operations with an actual cost recorded',
      sum((s) => s.startsWith('graphql_cost_actual_count')),
      (n) => n > 0,
    ],
    ['limiter store at the end: Redis', after.get('limiter_store_state{store="redis"}') ?? 0, (n) => n === 1],
    ['redis_up at the end', after.get('redis_up') ?? 0, (n) => n === 1],
  ];
  const verdicts = expectations.map(([what, n, ok]) => ({ what, n, ok: ok(n) }));
  const ok = verdicts.every((v) => v.ok);
  return {
    ok,
    lines: [
      `## Metrics during the soak (instance a, \`/metrics\` on its own port, before and after the load)`,
      '',
      ...verdicts.map((v) => `- ${v.what}: ${v.n} — ${v.ok ? 'moved as expected' : 'NOT AS EXPECTED'}`),
      '',
      `Every counter series that moved (Δ over the run): ${ok ? 'all expectations met' : 'SOME EXPECTATIONS NOT MET'}.`,
      '',
      table(['series', 'Δ'], rows),
    ],
  };
}
