import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROTECTIONS } from '../src/security/protections.js';
import { BENCH_SCHEMA, GENEROUS_LIMITS, RUN_ID, commonHeaders, projectEnv } from './lib/env.js';
import { removeRunData, seedFixtures, type Fixtures } from './lib/fixtures.js';
import { firstCode, timedPost } from './lib/http.js';
import { startLoadGenerator, type LoadGenerator } from './lib/load.js';
import type { LoadRequest, LoadResult } from './lib/load-types.js';
import { startTarget, type TargetProcess } from './lib/processes.js';
import { QUERIES, type BenchQuery } from './lib/queries.js';
import { busyWarning, fmt, machine, median, table, writeResults } from './lib/report.js';
import { sideBySideSvg } from './lib/svg.js';
import {
  REQUIRED_RATIO,
  STRETCH_RATIO,
  verdict,
  verdictLine,
  verdictTally,
  type Verdict,
} from './lib/verdicts.js';
import { profileMarkdown, profileProject, type ProfileReport } from './profile-phase.js';

export interface SideBySideOptions {
  benchDir: string;
  quick: boolean;
  rounds: number;
  durationSec: number;
  warmupSec: number;
  /** Every connection count is measured in every round (e.g. 10 and 100). */
  connections: number[];
  memoryRequests: number;
  /** Seconds of load per query on the --cpu-prof project process; 0: no profile. */
  profileSec: number;
}

interface TargetDef {
  key: 'project' | 'projectMetrics' | 'baseline' | 'armor' | 'ceiling';
  label: string;
  /** For the picture. */
  short: string;
  color: string;
  file: string;
  env: Record<string, string | undefined>;
  /** Ceiling answers a fixed body: the query does not matter to it. */
  fixed?: boolean;
}

interface Cell {
  target: TargetDef['key'];
  query: BenchQuery['key'];
  connections: number;
  rounds: LoadResult[];
}

function targetDefs(benchDir: string): TargetDef[] {
  const t = (f: string) => join(benchDir, 'targets', f);
  // The peers run with NODE_ENV=production too, so Apollo's own production defaults apply to
  // every target alike (no introspection, production landing page, no stack traces).
  const peerEnv = {
    ...projectEnv(),
    // The baseline has no limits to configure; these only keep its config parse identical.
    LOG_LEVEL: 'info',
  };
  return [
    {
      key: 'project',
      label: 'this project (production, Redis)',
      short: 'this project',
      color: '#2b6cb0',
      file: t('project.ts'),
      env: projectEnv(),
    },
    {
      // The same project with the Prometheus metrics on (issue 17: they must cost < 5 %).
      key: 'projectMetrics',
      label: 'this project, metrics on (METRICS_PORT)',
      short: 'project + metrics',
      color: '#2c7a7b',
      file: t('project.ts'),
      env: projectEnv({ METRICS_PORT: '0' }),
    },
    {
      key: 'baseline',
      label: 'bare Apollo 5 + Express 5',
      short: 'bare Apollo (baseline)',
      color: '#718096',
      file: t('baseline.ts'),
      env: peerEnv,
    },
    {
      key: 'armor',
      label: 'bare + graphql-armor',
      short: 'bare + graphql-armor',
      color: '#dd6b20',
      file: t('armor.ts'),
      env: peerEnv,
    },
    {
      key: 'ceiling',
      label: 'node:http fixed JSON',
      short: 'node:http ceiling *',
      color: '#a0aec0',
      file: t('ceiling.ts'),
      env: {},
      fixed: true,
    },
  ];
}

async function requestFor(q: BenchQuery, fixtures: Fixtures): Promise<LoadRequest> {
  const headers = commonHeaders();
  if (q.authenticated) headers.authorization = `Bearer ${await fixtures.token()}`;
  return { method: 'POST', path: '/graphql', headers, body: JSON.stringify({ query: q.query }), tag: q.key };
}

const failed = (r: LoadResult) => r.errors + r.non2xx + r.timeouts + r.mismatches;

/** Rotates the target order each round: A B C D, then B C D A, … (no target always runs first). */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  return items.map((_, i) => items[(i + by) % n]!);
}

export async function runSideBySide(o: SideBySideOptions): Promise<void> {
  const logDir = join(o.benchDir, 'results', 'logs');
  const defs = targetDefs(o.benchDir);
  const targets = new Map<TargetDef['key'], TargetProcess>();
  let load: LoadGenerator | undefined;
  console.log(`machine: ${machine()}`);
  console.log(
    `run ${RUN_ID}: schema ${BENCH_SCHEMA}; project limits raised for measurement (${GENEROUS_LIMITS})`,
  );
  try {
    const fixtures = await seedFixtures(BENCH_SCHEMA);
    for (const def of defs) {
      const p = await startTarget(def.key, def.file, def.env, join(logDir, `${RUN_ID}-${def.key}.log`));
      targets.set(def.key, p);
      console.log(`started ${def.label} on ${p.url} (pid ${p.child.pid})`);
    }
    load = await startLoadGenerator(o.benchDir, join(logDir, `${RUN_ID}-load.log`));

    // Sanity: every GraphQL target answers every query with data and no errors before any timing.
    for (const def of defs.filter((d) => !d.fixed)) {
      for (const q of QUERIES) {
        const req = await requestFor(q, fixtures);
        const r = await timedPost(`${targets.get(def.key)!.url}/graphql`, req.body!, req.headers);
        const ok = r.status === 200 && r.text.startsWith('{"data":{') && !r.text.includes('"errors"');
        if (!ok) {
          throw new Error(
            `${def.key} / ${q.key}: expected data without errors, got ${r.status} ${firstCode(r.text)}: ${r.text.slice(0, 400)}`,
          );
        }
      }
    }
    console.log('sanity: every target answers every query with data and no errors');

    const job = async (def: TargetDef, q: BenchQuery, connections: number, seconds: number) => {
      const [r] = await load!.run([
        {
          url: targets.get(def.key)!.url,
          connections,
          duration: seconds,
          requests: [await requestFor(q, fixtures)],
          verify: 'data',
        },
      ]);
      return r!;
    };
    const counts = o.connections;
    const fewest = Math.min(...counts);

    // Warm-up: JIT, pools, caches; not recorded. At the largest connection count, so every
    // target has also accepted as many sockets as it will be asked to serve.
    for (const def of defs) for (const q of QUERIES) await job(def, q, Math.max(...counts), o.warmupSec);
    const project = targets.get('project')!;
    const memoryAfterWarmup = await project.memory();
    console.log(`project RSS after warm-up: ${fmt.mib(memoryAfterWarmup.rss)}`);

    const cells: Cell[] = counts.flatMap((connections) =>
      defs.flatMap((d) => QUERIES.map((q) => ({ target: d.key, query: q.key, connections, rounds: [] }))),
    );
    const cell = (t: string, q: string, c: number) =>
      cells.find((x) => x.target === t && x.query === q && x.connections === c)!;
    // Each round measures every connection count, query and target; the target order rotates
    // each round, so no target always runs first (or right after the same neighbour).
    for (let round = 0; round < o.rounds; round++) {
      const order = rotate(defs, round);
      for (const connections of counts) {
        for (const q of QUERIES) {
          for (const def of order) {
            const r = await job(def, q, connections, o.durationSec);
            cell(def.key, q.key, connections).rounds.push(r);
            console.log(
              `round ${round + 1}/${o.rounds} c=${String(connections).padEnd(3)} ${q.key.padEnd(9)} ${def.key.padEnd(8)} ${fmt.rps(r.reqPerSec).padStart(7)} req/s p50 ${fmt.ms(r.p50)} p99 ${fmt.ms(r.p99)} failed ${failed(r)}`,
            );
          }
        }
      }
    }

    // Memory: the same process keeps serving memoryRequests more requests, a mix of all three
    // queries weighted 8 : 1 : 1 ({ __typename } : catalogue : myOrders) so 200,000 requests take
    // minutes, not a quarter of an hour, while every code path (and every allocation) still runs.
    const [typename, ...heavy] = await Promise.all(QUERIES.map((q) => requestFor(q, fixtures)));
    const mix = [...Array.from({ length: 8 }, () => typename!), ...heavy];
    const memStart = Date.now();
    // In four equal chunks, with RSS after each: a plateau is the allocator settling, a steady
    // climb is a leak.
    const chunks = 4;
    const memRuns: LoadResult[] = [];
    const checkpoints: { requests: number; rss: number; heapUsed: number }[] = [];
    for (let i = 0; i < chunks; i++) {
      const [r] = await load.run([
        {
          url: project.url,
          connections: fewest,
          amount: Math.ceil(o.memoryRequests / chunks),
          requests: mix,
          verify: 'data',
        },
      ]);
      memRuns.push(r!);
      const m = await project.memory();
      checkpoints.push({
        requests: memRuns.reduce((s, x) => s + x.total, 0),
        rss: m.rss,
        heapUsed: m.heapUsed,
      });
    }
    const memRun = {
      total: memRuns.reduce((s, x) => s + x.total, 0),
      failed: memRuns.reduce((s, x) => s + failed(x), 0),
    };
    const memoryAfter = await project.memory();
    const memSec = (Date.now() - memStart) / 1000;
    const growth = memoryAfter.rss / memoryAfterWarmup.rss - 1;
    console.log(
      `memory: ${memRun.total} requests in ${memSec.toFixed(0)} s (failed ${memRun.failed}): RSS ${fmt.mib(memoryAfterWarmup.rss)} → ${fmt.mib(memoryAfter.rss)} (${(growth * 100).toFixed(1)} %)`,
    );

    // CPU profile: a separate project process under --cpu-prof, after everything timed, so the
    // profiler never slows a measured run. The other targets sit idle meanwhile.
    let profile: ProfileReport | undefined;
    let profileError: string | undefined;
    if (o.profileSec > 0) {
      const projectDef = defs.find((d) => d.key === 'project')!;
      // A failed profile costs its section, not the measurements made before it.
      profile = await profileProject({
        benchDir: o.benchDir,
        file: projectDef.file,
        env: projectDef.env,
        queries: QUERIES,
        requestFor: (q) => requestFor(q, fixtures),
        load,
        connections: fewest,
        durationSec: o.profileSec,
        warmupSec: o.warmupSec,
      }).catch((error: unknown) => {
        profileError = error instanceof Error ? error.message : String(error);
        console.error(`CPU profile failed: ${profileError}`);
        return undefined;
      });
      if (profile) console.log(`profile written: bench/${profile.file}`);
    }

    // ── Report ──────────────────────────────────────────────────────────────────────────────
    const summary = cells.map((c) => ({
      target: c.target,
      query: c.query,
      connections: c.connections,
      rps: median(c.rounds.map((r) => r.reqPerSec)),
      p50: median(c.rounds.map((r) => r.p50)),
      p99: median(c.rounds.map((r) => r.p99)),
      failed: c.rounds.reduce((s, r) => s + failed(r), 0),
      requests: c.rounds.reduce((s, r) => s + r.total, 0),
    }));
    const find = (t: string, q: string, c: number) =>
      summary.find((x) => x.target === t && x.query === q && x.connections === c)!;
    const rows: (string | number)[][] = [];
    const verdicts: Verdict[] = [];
    const verdictLines: string[] = [];
    const panels: Parameters<typeof sideBySideSvg>[0]['panels'] = [];
    for (const connections of counts) {
      for (const q of QUERIES) {
        const base = find('baseline', q.key, connections);
        const bars: (typeof panels)[number]['bars'] = [];
        for (const def of defs) {
          const s = find(def.key, q.key, connections);
          const ratio = s.rps / base.rps;
          rows.push([
            connections,
            q.label,
            def.label + (def.fixed ? ' *' : ''),
            fmt.rps(s.rps),
            fmt.ms(s.p50),
            fmt.ms(s.p99),
            s.failed,
            fmt.ratio(ratio),
          ]);
          bars.push({
            label: def.short,
            ratio,
            p99Ms: s.p99,
            color: def.color,
            offScale: def.fixed === true,
          });
          if (def.key === 'project') {
            const v = verdict(q.key, connections, ratio);
            verdicts.push(v);
            verdictLines.push(verdictLine(v, q.label));
          }
        }
        panels.push({ title: `${q.label} — ${connections} connections`, bars });
      }
    }
    // Metrics on ÷ off, the same project: the overhead the observability adds (target < 5 %).
    const metricsLines = counts.flatMap((connections) =>
      QUERIES.map((q) => {
        const on = find('projectMetrics', q.key, connections).rps / find('project', q.key, connections).rps;
        return `metrics on ÷ off, ${q.label}, ${connections} connections: ${fmt.ratio(on)} (${((1 - on) * 100).toFixed(1)} % overhead; target under 5 %: ${on >= 0.95 ? 'met' : 'NOT MET'})`;
      }),
    );
    const totalFailed =
      summary.reduce((s, x) => s + x.failed, 0) +
      memRun.failed +
      (profile?.queries.reduce((s, q) => s + q.load.failed, 0) ?? 0);
    const memFlag = growth > 0.1 ? 'FLAG: grew more than 10 %' : 'ok (≤ 10 %)';
    const name = o.quick ? 'quick' : 'latest';
    const date = new Date().toISOString();
    const phases = ['http', 'document', 'execution', 'response'] as const;
    const protections = PROTECTIONS.map((p) => ({ name: p.name, phase: p.phase }));
    const svg = sideBySideSvg({
      title: `Side-by-side: this project vs bare Apollo 5 + Express 5${o.quick ? ' (QUICK smoke run)' : ''}`,
      subtitle: `${date.slice(0, 16).replace('T', ' ')} UTC · ${o.rounds} round(s) × ${o.durationSec} s · medians · ${machine().split(';')[0]}`,
      panels,
      required: REQUIRED_RATIO,
      stretch: STRETCH_RATIO,
    });
    const md = [
      `## Side-by-side benchmark${o.quick ? ' (QUICK smoke run: not for publication)' : ''}`,
      '',
      `Machine: ${machine()}.`,
      ...(busyWarning() ? ['', `**${busyWarning()}**`, ''] : []),
      `Run: ${date}, ${o.rounds} round(s) × ${o.durationSec} s per target per query per connection count, ${counts.join(' and ')} connections, warm-up ${o.warmupSec} s (at ${Math.max(...counts)} connections), targets interleaved and rotated each round (A B C D, B C D A, …).`,
      '',
      table(
        ['connections', 'query', 'target', 'req/s (median)', 'p50', 'p99', 'failed/non-2xx', '× baseline'],
        rows,
      ),
      '',
      '\\* the ceiling answers a fixed body whatever the query: the most one Node process serves here.',
      '',
      `![side-by-side](${name}.svg)`,
      '',
      `Targets (issue 15): project ÷ baseline req/s ≥ ${REQUIRED_RATIO.toFixed(2)}× on every query (required), ≥ ${STRETCH_RATIO.toFixed(2)}× on { __typename } and myOrders (stretch: the level of GraphQL Yoga); a miss is given in points of the baseline’s throughput. ${verdictTally(verdicts)}.`,
      '',
      ...verdictLines.map((v) => `- ${v}`),
      ...metricsLines.map((v) => `- ${v}`),
      `- failed, non-2xx or error-carrying responses over all runs: ${totalFailed}${totalFailed === 0 ? ' (as required)' : ' (MUST be 0: see logs)'}`,
      `- memory (project, same process): RSS after warm-up ${fmt.mib(memoryAfterWarmup.rss)}, after ${memRun.total.toLocaleString('en-US')} more requests (8 : 1 : 1 mix of the three queries, ${fewest} connections) ${fmt.mib(memoryAfter.rss)}: ${(growth * 100).toFixed(1)} % — ${memFlag}; heap ${fmt.mib(memoryAfterWarmup.heapUsed)} → ${fmt.mib(memoryAfter.heapUsed)}${memoryAfter.gcForced ? ' (after a forced GC)' : ''}; RSS at each quarter: ${checkpoints.map((c) => fmt.mib(c.rss)).join(' → ')}`,
      '',
      'Setup: every target is its own process on the same seeded PostgreSQL schema (300 products × 3 reviews; one customer with 12 orders × 3 items).',
      `The project runs \`createApp\` with NODE_ENV=production, JWT_SECRET, REDIS_URL (shared store), DATABASE_URL, CORS_ORIGINS, TRUST_PROXY=loopback; requests carry \`X-Forwarded-Proto: https\` and an allowed Origin. Its request and cost budgets are raised (${GENEROUS_LIMITS}) so this measures what the protections cost, not refusals; every other limit is the production default.`,
      `What was on in the project: all ${protections.length} protections of \`PROTECTIONS\` (src/security/protections.ts), in the order a request meets them — ${phases
        .map(
          (phase) =>
            `${phase}: ${protections
              .filter((p) => p.phase === phase)
              .map((p) => `\`${p.name}\``)
              .join(', ')}`,
        )
        .join('; ')}.`,
      'The baseline is the same SDL (`loadTypeDefs()`), resolvers, loaders, services and database behind a bare Apollo Server 5 + Express 5 with no protection; its viewer comes from the project’s own authenticator (same JWT verification and user lookup), so the comparison isolates the protections, not identity.',
      'graphql-armor runs its defaults except the two that refuse the catalogue page: maxDepth 6 → 10 (the project’s MAX_DEPTH) and costLimit 5000 → 20000 (Armor’s static cost puts the page at ~14,650).',
      'All GraphQL targets run with NODE_ENV=production. A response counts as failed if it is not 2xx, times out, or lacks `data` / carries `errors`.',
      ...(profile ? ['', profileMarkdown(profile)] : []),
      ...(profileError ? ['', `**The CPU profile failed: ${profileError}** (see bench/results/logs/).`] : []),
    ].join('\n');
    console.log(`\n${md}\n`);
    const files = writeResults(join(o.benchDir, 'results'), name, md, {
      kind: 'side-by-side',
      quick: o.quick,
      date,
      machine: machine(),
      options: o,
      protections,
      summary,
      verdicts,
      memory: {
        afterWarmup: memoryAfterWarmup,
        after: memoryAfter,
        requests: memRun.total,
        connections: fewest,
        growth,
        checkpoints,
        memRuns,
      },
      profile,
      profileError,
      cells,
    });
    const svgFile = join(o.benchDir, 'results', `${name}.svg`);
    writeFileSync(svgFile, svg);
    files.push(svgFile);
    console.log(`written: ${files.join(', ')}`);
  } finally {
    await load?.stop().catch(() => undefined);
    for (const t of targets.values()) await t.stop().catch(() => undefined);
    await removeRunData();
  }
}
