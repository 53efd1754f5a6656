import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { SECURITY_EVENTS } from '../../src/audit/events.js';
import { METRIC_NAMES } from '../../src/observability/metrics.js';
import { projectRoot } from '../../src/project-root.js';
import { startApp, type StartOptions, type TestApp } from '../helpers/app.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/env.js';

// The monitoring examples (examples/monitoring): the Grafana dashboard and the Prometheus rules
// may only use metrics a running app really exports, and the metrics endpoint itself behaves as
// src/observability/metrics-server.ts says (own listener, optional bearer token, GET only).

const DIR = join(projectRoot(), 'examples', 'monitoring');
const METRICS_TOKEN = 'a-metrics-token-0123456789';

// ── The files ──────────────────────────────────────────────────────────────────────────────────

interface Target {
  expr?: unknown;
  refId?: unknown;
  datasource?: unknown;
}
interface Panel {
  type?: unknown;
  title?: unknown;
  datasource?: unknown;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name?: unknown;
  type?: unknown;
  query?: unknown;
  definition?: unknown;
}
interface Dashboard {
  schemaVersion?: unknown;
  title?: unknown;
  uid?: unknown;
  __inputs?: { name?: unknown; type?: unknown; pluginId?: unknown }[];
  panels?: Panel[];
  templating?: { list?: Variable[] };
}
interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}
interface RuleFile {
  groups?: { name?: unknown; rules?: Rule[] }[];
}
interface PrometheusConfig {
  rule_files?: unknown[];
  scrape_configs?: {
    job_name?: unknown;
    metrics_path?: unknown;
    static_configs?: { targets?: unknown[] }[];
    authorization?: { type?: unknown; credentials_file?: unknown };
  }[];
}

const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
const rules = parse(readFileSync(join(DIR, 'alerts.yml'), 'utf8')) as RuleFile;
const prometheus = parse(readFileSync(join(DIR, 'prometheus.yml'), 'utf8')) as PrometheusConfig;

/** Every panel, rows' nested panels included (a collapsed row holds its panels). */
const allPanels = (panels: Panel[] = []): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels)]);
/** Rows only lay the dashboard out: they have no query. */
const queryPanels = allPanels(dashboard.panels).filter((p) => p.type !== 'row');
const allRules = (rules.groups ?? []).flatMap((g) => g.rules ?? []);

/** Where each PromQL expression comes from, for readable failures. */
const expressions: { where: string; expr: string }[] = [
  ...queryPanels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      where: `panel "${String(p.title)}" ${String(t.refId)}`,
      expr: String(t.expr),
    })),
  ),
  ...(dashboard.templating?.list ?? [])
    .filter((v) => v.type === 'query')
    .map((v) => ({
      where: `variable $${String(v.name)}`,
      expr:
        typeof v.query === 'string'
          ? v.query
          : String((v.query as { query?: unknown } | undefined)?.query ?? v.definition),
    })),
  ...allRules.map((r) => ({ where: `alert ${String(r.alert)}`, expr: String(r.expr) })),
];

// ── A small PromQL reader: the metric names and the grouping labels of an expression ──────────

/** PromQL functions, aggregations, keywords and Grafana's label_values(): never metric names. */
const PROMQL_WORDS = new Set([
  // aggregation operators and their modifiers
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
  'by',
  'without',
  // binary operators and vector matching
  'and',
  'or',
  'unless',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'atan2',
  // functions
  'abs',
  'absent',
  'absent_over_time',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'delta',
  'deriv',
  'exp',
  'floor',
  'histogram_avg',
  'histogram_count',
  'histogram_fraction',
  'histogram_quantile',
  'histogram_stddev',
  'histogram_stdvar',
  'histogram_sum',
  'holt_winters',
  'double_exponential_smoothing',
  'hour',
  'idelta',
  'increase',
  'irate',
  'label_join',
  'label_replace',
  'ln',
  'log2',
  'log10',
  'minute',
  'month',
  'predict_linear',
  'rate',
  'resets',
  'round',
  'scalar',
  'sgn',
  'sort',
  'sort_desc',
  'sort_by_label',
  'sort_by_label_desc',
  'sqrt',
  'time',
  'timestamp',
  'vector',
  'year',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'quantile_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'last_over_time',
  'present_over_time',
  'mad_over_time',
  'inf',
  'nan',
  // Grafana template queries
  'label_values',
  'label_names',
  'metrics',
  'query_result',
]);

/** Series Prometheus writes itself for every target: not the app's to export. */
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** The expression without string literals, label matchers, range selectors and Grafana variables. */
function bare(expr: string): string {
  return expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?[A-Za-z0-9_]+\}?/g, ' ');
}

const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

/** The metric names an expression reads: identifiers that are not PromQL words, labels or calls. */
function metricNamesIn(expr: string): string[] {
  const text = bare(expr).replace(GROUPING, ' ');
  const names = new Set<string>();
  // Numbers and durations first, so that the `m` of `5m` or the `e` of `1e-9` is not a name.
  const token = /\d[\w.]*(?:e[+-]?\d+)?|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g;
  for (const match of text.matchAll(token)) {
    const [, name, call] = match;
    if (!name || call || PROMQL_WORDS.has(name)) continue;
    if (name.includes('_') || PROMETHEUS_SERIES.has(name)) names.add(name);
  }
  return [...names];
}

/** The label names an expression groups or matches on (`by (…)`, `on (…)`, …). */
function groupingLabelsIn(expr: string): string[] {
  const labels = new Set<string>();
  for (const [, , list] of bare(expr).matchAll(GROUPING))
    for (const label of (list ?? '').split(',').map((l) => l.trim())) if (label) labels.add(label);
  return [...labels];
}

/** The names of the label matchers of an expression (`{job=~"…", outcome="ok"}`). */
function matcherLabelsIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  const labels = new Set<string>();
  for (const [, body] of withoutStrings.matchAll(/\{([^}]*)\}/g))
    for (const [, label] of (body ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g))
      if (label) labels.add(label);
  return [...labels];
}

/** Names referenced by `exprs` that are not in `exported`, with where they were used. */
function missingNames(exprs: { where: string; expr: string }[], exported: Set<string>): string[] {
  return exprs.flatMap(({ where, expr }) =>
    metricNamesIn(expr)
      .filter((name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name))
      .map((name) => `${name} (${where})`),
  );
}

// ── The exposition format ──────────────────────────────────────────────────────────────────────

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Metric family names from `# TYPE` lines, with a histogram's `_bucket`, `_sum` and `_count`. */
function familyNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (!name) continue;
    names.add(name);
    if (type === 'histogram' || type === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** Every sample line: name, labels and value. */
function samples(exposition: string): Sample[] {
  const found: Sample[] = [];
  for (const line of exposition.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    assert.ok(match, `an exposition line that does not parse: ${line}`);
    const [, name = '', body = '', value = ''] = match;
    const labels: Record<string, string> = {};
    for (const [, label = '', raw = ''] of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[label] = raw.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    found.push({ name, labels, value: Number(value) });
  }
  return found;
}

/** The sum of the samples of `name` whose labels include `labels`. */
function valueOf(all: Sample[], name: string, labels: Record<string, string> = {}): number {
  return all
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

/**
 * Labels an expression groups or matches on that no series of the metrics it reads carries (job
 * and instance, which Prometheus adds, aside). Only metrics with series at the time are checked.
 */
function labelProblems(exprs: { where: string; expr: string }[], all: Sample[]): string[] {
  const labelsOf = new Map<string, Set<string>>();
  for (const s of all) {
    const known = labelsOf.get(s.name) ?? new Set<string>(['job', 'instance']);
    for (const label of Object.keys(s.labels)) known.add(label);
    labelsOf.set(s.name, known);
  }
  return exprs.flatMap(({ where, expr }) => {
    const names = metricNamesIn(expr).filter((n) => labelsOf.has(n));
    if (names.length === 0) return [];
    const available = new Set(names.flatMap((n) => [...(labelsOf.get(n) ?? [])]));
    return [...new Set([...groupingLabelsIn(expr), ...matcherLabelsIn(expr)])]
      .filter((label) => !available.has(label))
      .map((label) => `${label} (${where})`);
  });
}

const APP_OPTIONS = (env: Record<string, string>): StartOptions => ({
  env,
  ...(TEST_REDIS_URL ? { redis: true } : {}),
  ...(TEST_DATABASE_URL ? { driver: 'pg' as const } : {}),
});

async function scrape(t: TestApp, headers: Record<string, string> = {}): Promise<string> {
  const url = t.app.metricsUrl();
  assert.ok(url, 'the metrics listener is up');
  const res = await fetch(`${url}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}

// ── Tests ──────────────────────────────────────────────────────────────────────────────────────

describe('monitoring examples: structure', () => {
  it('the dashboard is a schemaVersion 39 dashboard on a ${DS_PROMETHEUS} data source', () => {
    assert.equal(dashboard.schemaVersion, 39);
    assert.equal(typeof dashboard.title, 'string');
    assert.equal(typeof dashboard.uid, 'string');
    assert.deepEqual(
      dashboard.__inputs?.map((i) => [i.name, i.type, i.pluginId]),
      [['DS_PROMETHEUS', 'datasource', 'prometheus']],
    );
    assert.ok(
      dashboard.templating?.list?.some((v) => v.name === 'DS_PROMETHEUS' && v.type === 'datasource'),
      'a DS_PROMETHEUS data source variable, for dashboards provisioned from files',
    );
  });

  it('every panel has a title, the data source and at least one target with an expression', () => {
    assert.ok(queryPanels.length >= 15, `${queryPanels.length} panels`);
    const titles = new Set<unknown>();
    for (const panel of queryPanels) {
      const name = String(panel.title);
      assert.ok(typeof panel.title === 'string' && panel.title.length > 0, 'a title');
      assert.ok(!titles.has(panel.title), `a second panel titled "${name}"`);
      titles.add(panel.title);
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${DS_PROMETHEUS}' }, name);
      assert.ok((panel.targets ?? []).length > 0, `${name}: no target`);
      for (const target of panel.targets ?? []) {
        assert.ok(typeof target.expr === 'string' && target.expr.trim().length > 0, `${name}: an expr`);
        assert.deepEqual(target.datasource, panel.datasource, `${name}: the target's data source`);
      }
    }
  });

  it('the dashboard covers what operators asked for', () => {
    const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => String(t.expr))).join('\n');
    for (const needle of [
      'sum by (outcome) (rate(graphql_requests_total',
      'histogram_quantile(0.5, sum by (le, operation) (rate(graphql_request_duration_seconds_bucket',
      'histogram_quantile(0.99, sum by (le, operation) (rate(graphql_request_duration_seconds_bucket',
      'outcome="server_error"',
      'outcome="refused"',
      'sum by (event) (rate(security_events_total',
      'sum by (protection, code) (rate(security_events_total',
      'graphql_cost_requested_sum',
      'graphql_cost_actual_sum',
      'graphql_cost_requested_bucket',
      'graphql_cost_budget_remaining_ratio_bucket',
      'limiter_store_state',
      'limiter_store_failovers_total',
      'redis_up',
      'db_pool_connections',
      'nodejs_eventloop_lag_p99_seconds',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
    ])
      assert.ok(exprs.includes(needle), `no panel queries ${needle}`);
  });

  it('every alert rule has an expression, a duration, a severity and a summary and description', () => {
    assert.ok((rules.groups ?? []).length > 0);
    for (const group of rules.groups ?? []) assert.equal(typeof group.name, 'string');
    const names = allRules.map((r) => r.alert);
    assert.equal(new Set(names).size, names.length, 'alert names are unique');
    for (const rule of allRules) {
      const name = String(rule.alert);
      assert.match(name, /^[A-Z][A-Za-z0-9]+$/);
      assert.ok(typeof rule.expr === 'string' && rule.expr.trim().length > 0, `${name}: expr`);
      assert.match(String(rule.for), /^\d+[smh]$/, `${name}: for`);
      assert.ok(['critical', 'warning', 'info'].includes(String(rule.labels?.severity)), `${name}: severity`);
      assert.ok(String(rule.annotations?.summary ?? '').length > 10, `${name}: summary`);
      assert.ok(String(rule.annotations?.description ?? '').length > 40, `${name}: description`);
    }
  });

  it('the rules cover the failure modes the README lists', () => {
    const byName = new Map(allRules.map((r) => [String(r.alert), String(r.expr)]));
    const expect = (alert: string, ...needles: string[]) => {
      const expr = byName.get(alert);
      assert.ok(expr, `no alert ${alert}`);
      for (const needle of needles) assert.ok(expr.includes(needle), `${alert}: ${expr} lacks ${needle}`);
    };
    expect('SecurityRefusalSpike', 'rate(security_events_total[5m])');
    expect('CostBudgetExhaustion', 'security_events_total{event="limit_hit"', 'by (job, protection)');
    expect('LimiterStoreOnMemory', 'limiter_store_state{store="memory"}', 'redis_up');
    expect('LimiterStoreFailover', 'increase(limiter_store_failovers_total{to="memory"}');
    expect('GraphQLHighServerErrorRate', 'outcome="server_error"', '> 0.01');
    expect('RedisDown', 'redis_up == 0');
    expect('DbPoolWaiting', 'db_pool_connections{state="waiting"}', '> 0');
    expect('EventLoopLagHigh', 'nodejs_eventloop_lag_p99_seconds', '> 0.5');
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    for (const alert of byName.keys()) assert.ok(readme.includes(alert), `README.md explains ${alert}`);
  });

  it('the scrape config targets the metrics listener, with the token file, and loads the rules', () => {
    assert.deepEqual(prometheus.rule_files, ['alerts.yml']);
    const [job, ...others] = prometheus.scrape_configs ?? [];
    assert.equal(others.length, 0);
    assert.equal(job?.job_name, 'secure-graphql-api');
    assert.equal(job?.metrics_path, '/metrics');
    assert.deepEqual(job?.static_configs?.[0]?.targets, ['127.0.0.1:9464']);
    assert.equal(job?.authorization?.type, 'Bearer');
    assert.equal(typeof job?.authorization?.credentials_file, 'string');
    // The scrape-failure alert watches this job.
    assert.ok(allRules.some((r) => String(r.expr).includes(`up{job="${String(job?.job_name)}"}`)));
  });

  it('the PromQL reader finds metric names and skips functions, labels, strings and durations', () => {
    assert.deepEqual(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le, operation) (rate(graphql_request_duration_seconds_bucket{job=~"$job", operation=~"a_b"}[$__rate_interval])))',
      ),
      ['graphql_request_duration_seconds_bucket'],
    );
    assert.deepEqual(
      metricNamesIn(
        'max by (job, instance) (limiter_store_state{store="memory"}) == 1 and on (job, instance) redis_up >= 0',
      ),
      ['limiter_store_state', 'redis_up'],
    );
    assert.deepEqual(metricNamesIn('sum(rate(a_total[5m] offset 1d)) / clamp_min(sum(b_count), 1e-9)'), [
      'a_total',
      'b_count',
    ]);
    assert.deepEqual(metricNamesIn('label_values(graphql_requests_total{job=~"$job"}, operation)'), [
      'graphql_requests_total',
    ]);
    assert.deepEqual(
      groupingLabelsIn('sum by (le, operation) (x_total) * on (job) group_left (zone) y_info'),
      ['le', 'operation', 'job', 'zone'],
    );
  });
});

describe('monitoring examples against a live app', () => {
  let t: TestApp;
  let exposition: string;
  let exported: Set<string>;
  before(async () => {
    t = await startApp(APP_OPTIONS({ METRICS_PORT: '0' }));
    exposition = await scrape(t);
    exported = familyNames(exposition);
  });
  after(async () => {
    await t?.stop();
  });

  it('the app exports every name of METRIC_NAMES, and prom-client’s default metrics', () => {
    const expected: string[] = Object.values(METRIC_NAMES).filter(
      // redis_up exists only with REDIS_URL
      (name) => name !== METRIC_NAMES.redisUp || TEST_REDIS_URL !== undefined,
    );
    for (const name of [
      ...expected,
      'nodejs_eventloop_lag_p99_seconds',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
    ])
      assert.ok(exported.has(name), `${name} is not exported`);
  });

  it('every metric name in the dashboard and the alert rules is exported by the app', () => {
    const referenced = new Set(expressions.flatMap(({ expr }) => metricNamesIn(expr)));
    assert.ok(referenced.size >= 15, `only ${referenced.size} names found: is the reader broken?`);
    // Without REDIS_URL, redis_up is absent by design (the app has no Redis to report on).
    const live = TEST_REDIS_URL ? exported : new Set([...exported, METRIC_NAMES.redisUp]);
    assert.deepEqual(missingNames(expressions, live), []);
  });

  it('the checker reports a metric the app does not export', () => {
    assert.deepEqual(
      missingNames([{ where: 'made up', expr: 'sum(rate(no_such_metric_total[5m])) by (job)' }], exported),
      ['no_such_metric_total (made up)'],
    );
    assert.deepEqual(
      missingNames(
        [
          {
            where: 'made up',
            expr: 'histogram_quantile(0.9, rate(graphql_request_duration_second_bucket[5m]))',
          },
        ],
        exported,
      ),
      ['graphql_request_duration_second_bucket (made up)'],
    );
  });

  it('the metrics are on their own listener, never on the public port', async () => {
    const url = t.app.metricsUrl();
    assert.ok(url);
    assert.notEqual(new URL(url).port, new URL(t.url).port);
    assert.equal(new URL(url).hostname, '127.0.0.1', 'METRICS_HOST defaults to loopback');
    const res = await fetch(`${t.url}/metrics`);
    assert.equal(res.status, 404);
    assert.doesNotMatch(await res.text(), /# TYPE/);
  });

  it('the listener answers GET and HEAD on /metrics only: other methods 405, other paths 404', async () => {
    const url = t.app.metricsUrl();
    const head = await fetch(`${url}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${url}/metrics`, { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
    }
    for (const path of ['/', '/metrics/', '/graphql', '/healthz']) {
      const res = await fetch(`${url}${path}`);
      assert.equal(res.status, 404, path);
    }
    assert.equal((await fetch(`${url}/metrics?x=1`)).status, 200, 'a query string is ignored');
  });
});

describe('the metrics endpoint with METRICS_TOKEN, and counters that move with traffic', () => {
  let t: TestApp;
  const auth = { authorization: `Bearer ${METRICS_TOKEN}` };
  before(async () => {
    // A small cost budget: one catalogue page of 50 is refused (429), which fills the cost series.
    t = await startApp(APP_OPTIONS({ METRICS_PORT: '0', METRICS_TOKEN, COST_BUDGET_PER_HOUR: '20' }));
  });
  after(async () => {
    await t?.stop();
  });

  it('a scrape without the token, or with another one, is 401 with WWW-Authenticate: Bearer', async () => {
    const url = t.app.metricsUrl();
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'Bearer a-metrics-token-0123456788' },
      { authorization: METRICS_TOKEN },
      { authorization: `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}` },
    ];
    for (const headers of refused) {
      const res = await fetch(`${url}/metrics`, { headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.doesNotMatch(await res.text(), /# TYPE/);
    }
    assert.match(await scrape(t, auth), /^# TYPE graphql_requests_total counter$/m);
  });

  it('requests and security events are counted by operation, outcome, event and code', async () => {
    const ok = await t.post({ query: 'query Health { health }', operationName: 'Health' });
    assert.equal(ok.status, 200, ok.text);
    const invalid = await t.post({ query: 'query Broken { noSuchField }', operationName: 'Broken' });
    assert.equal(invalid.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED', invalid.text);
    const badToken = await t.post(
      { query: 'query Health { health }', operationName: 'Health' },
      { authorization: 'Bearer not-a-valid-token' },
    );
    assert.equal(badToken.status, 401, badToken.text);

    const all = samples(await scrape(t, auth));
    const requests = METRIC_NAMES.requests;
    assert.equal(valueOf(all, requests, { operation: 'Health', outcome: 'ok' }), 1);
    assert.equal(valueOf(all, requests, { outcome: 'refused' }), 2, 'the invalid query and the bad token');
    assert.equal(valueOf(all, requests), 3);
    assert.equal(valueOf(all, `${METRIC_NAMES.duration}_count`), 3);
    assert.equal(valueOf(all, `${METRIC_NAMES.duration}_count`, { operation: 'Health', outcome: 'ok' }), 1);
    assert.equal(
      valueOf(all, `${METRIC_NAMES.duration}_bucket`, { operation: 'Health', outcome: 'ok', le: '+Inf' }),
      1,
    );
    // A name from a document that did not validate never gets a label value of its own.
    assert.equal(all.filter((s) => s.labels.operation === 'Broken').length, 0);

    const events = METRIC_NAMES.securityEvents;
    assert.ok(valueOf(all, events, { event: 'auth_failure', code: 'UNAUTHENTICATED' }) >= 1);
    assert.ok(valueOf(all, events, { event: 'validation_failure', code: 'GRAPHQL_VALIDATION_FAILED' }) >= 1);
    for (const sample of all.filter((s) => s.name === events)) {
      assert.ok(
        (SECURITY_EVENTS as readonly string[]).includes(sample.labels.event ?? ''),
        sample.labels.event,
      );
      assert.deepEqual(Object.keys(sample.labels).sort(), ['code', 'event', 'protection']);
    }

    // The limiter store and the pools are reported at each scrape.
    const store = TEST_REDIS_URL ? 'redis' : 'memory';
    assert.equal(valueOf(all, METRIC_NAMES.limiterStore, { store }), 1);
    assert.equal(valueOf(all, METRIC_NAMES.limiterFailovers, { to: 'memory' }), 0);
    if (TEST_REDIS_URL) assert.equal(valueOf(all, METRIC_NAMES.redisUp), 1);
    assert.ok(valueOf(all, METRIC_NAMES.dbPool, { state: 'total' }) >= 1);
    assert.equal(valueOf(all, METRIC_NAMES.dbPool, { state: 'waiting' }), 0);
  });

  it('the labels the dashboard and the rules group and match on exist on the series they read', async () => {
    const spent = await t.post({
      query: 'query Catalogue { products(first: 50) { edges { node { id } } } }',
    });
    assert.equal(spent.status, 429, spent.text);
    assert.equal(spent.body.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
    const all = samples(await scrape(t, auth));
    assert.ok(valueOf(all, METRIC_NAMES.securityEvents, { event: 'limit_hit', code: 'RATE_LIMITED' }) >= 1);
    // Every series the files read exists now (the cost histograms from the refused operation).
    const withSeries = new Set(all.map((s) => s.name));
    const unseen = [...new Set(expressions.flatMap(({ expr }) => metricNamesIn(expr)))].filter(
      (name) => !withSeries.has(name) && !PROMETHEUS_SERIES.has(name),
    );
    assert.deepEqual(unseen, TEST_REDIS_URL ? [] : [METRIC_NAMES.redisUp]);
    assert.deepEqual(labelProblems(expressions, all), []);
    // The check itself: a label no series of the metric has is reported.
    assert.deepEqual(
      labelProblems(
        [
          {
            where: 'made up',
            expr: 'sum by (operation, tenant) (rate(graphql_requests_total{status="500"}[5m]))',
          },
        ],
        all,
      ),
      ['tenant (made up)', 'status (made up)'],
    );
  });

  it('an ordinary operation is observed in the cost histograms', async () => {
    const counts = (all: Sample[]) =>
      [METRIC_NAMES.costRequested, METRIC_NAMES.costActual, METRIC_NAMES.budgetRemaining].map((name) =>
        valueOf(all, `${name}_count`),
      );
    const before = counts(samples(await scrape(t, auth)));
    const res = await t.post({ query: 'query FirstPage { products(first: 5) { edges { node { id } } } }' });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.extensions?.cost, 'the answer carries extensions.cost');
    const all = samples(await scrape(t, auth));
    assert.deepEqual(
      counts(all).map((n, i) => n - (before[i] ?? 0)),
      [1, 1, 1],
    );
    assert.equal(valueOf(all, `${METRIC_NAMES.costRequested}_count`, { operation: 'FirstPage' }), 1);
  });
});
