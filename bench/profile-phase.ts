import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RUN_ID } from './lib/env.js';
import {
  LAYERS,
  layerShares,
  mainThreadProfile,
  parseCpuProfile,
  summarizeProfile,
  type ProfileSummary,
} from './lib/cpu-profile.js';
import type { LoadGenerator } from './lib/load.js';
import type { LoadRequest, LoadResult } from './lib/load-types.js';
import { startTarget } from './lib/processes.js';
import type { BenchQuery } from './lib/queries.js';
import { fmt, table } from './lib/report.js';

// After the timed rounds: one more project process, started with --cpu-prof, serves each query
// alone for a while; the profile it writes on a clean exit is cut into one window per query (the
// profiler's clock is the monotonic clock process.hrtime reads here), so start-up, warm-up and
// shutdown are left out, and reduced to self time per function and per area.

export interface ProfileOptions {
  benchDir: string;
  /** The project target (bench/targets/project.ts) and its environment. */
  file: string;
  env: Record<string, string | undefined>;
  queries: readonly BenchQuery[];
  requestFor: (q: BenchQuery) => Promise<LoadRequest>;
  load: LoadGenerator;
  connections: number;
  durationSec: number;
  warmupSec: number;
}

export interface QueryProfile {
  query: BenchQuery['key'];
  label: string;
  load: Pick<LoadResult, 'reqPerSec' | 'p50' | 'p99' | 'total'> & { failed: number };
  /** The summary, its function list cut to the first 40. */
  summary: ProfileSummary;
  /** Set when the load window could not be placed on the profile's clock: the whole profile counts. */
  wholeProfile: boolean;
}

/** Every TypeScript file under these directories, as file: URLs (what the profile names them). */
function typeScriptUrls(dirs: string[]): string[] {
  const urls: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules' || name === 'results') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) urls.push(pathToFileURL(path).href);
    }
  };
  for (const dir of dirs) walk(dir);
  return urls;
}

/** Compiled position → source line (0-based), from the maps the profiled process held. */
function lineMapper(payloads: Record<string, SourceMapPayload>) {
  const maps = new Map<string, SourceMap>();
  return (url: string, line: number, column: number): number | undefined => {
    const bare = url.replace(/[?#].*$/, '');
    const payload = payloads[bare];
    if (!payload) return undefined;
    let map = maps.get(bare);
    if (!map) maps.set(bare, (map = new SourceMap(payload)));
    const entry = map.findEntry(line, column);
    return 'originalLine' in entry ? entry.originalLine : undefined;
  };
}

export interface ProfileReport {
  /** The .cpuprofile, relative to bench/ (under results/logs/, not committed). */
  file: string;
  /** How many TypeScript files' source maps turned compiled positions back into source lines. */
  sourceMaps: number;
  connections: number;
  durationSec: number;
  queries: QueryProfile[];
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const failed = (r: LoadResult) => r.errors + r.non2xx + r.timeouts + r.mismatches;

/** The project root: bench/.. */
const rootOf = (benchDir: string) => join(benchDir, '..');

export async function profileProject(o: ProfileOptions): Promise<ProfileReport> {
  const logDir = join(o.benchDir, 'results', 'logs');
  const dir = join(logDir, `${RUN_ID}-cpuprofile`);
  const target = await startTarget(
    'project-profile',
    o.file,
    // Its own Redis prefix (still under the run's, so it is removed at the end): its request and
    // cost budgets start fresh, whatever the timed rounds spent.
    { ...o.env, REDIS_PREFIX: `bench:${RUN_ID}:profile:` },
    join(logDir, `${RUN_ID}-project-profile.log`),
    ['--cpu-prof', '--cpu-prof-dir', dir],
  );
  const windows: { q: BenchQuery; fromUs: number; toUs: number; result: LoadResult }[] = [];
  let payloads: Record<string, SourceMapPayload> = {};
  try {
    const job = async (q: BenchQuery, seconds: number) => {
      const [r] = await o.load.run([
        {
          url: target.url,
          connections: o.connections,
          duration: seconds,
          requests: [await o.requestFor(q)],
          verify: 'data',
        },
      ]);
      return r!;
    };
    for (const q of o.queries) await job(q, o.warmupSec);
    for (const q of o.queries) {
      const request = await o.requestFor(q);
      const fromUs = nowUs();
      const [r] = await o.load.run([
        {
          url: target.url,
          connections: o.connections,
          duration: o.durationSec,
          requests: [request],
          verify: 'data',
        },
      ]);
      const toUs = nowUs();
      windows.push({ q, fromUs, toUs, result: r! });
      console.log(
        `profile ${q.key.padEnd(9)} ${fmt.rps(r!.reqPerSec).padStart(7)} req/s under --cpu-prof, failed ${failed(r!)}`,
      );
    }
    const root = rootOf(o.benchDir);
    payloads = await target
      .sourceMaps(typeScriptUrls([join(root, 'src'), o.benchDir]))
      .catch((error: unknown) => {
        console.error(
          `no source maps from the profiled process (TypeScript lines left out): ${String(error)}`,
        );
        return {};
      });
  } finally {
    // A clean exit (not a kill) is what makes node write the profile.
    await target.stop();
  }

  const name = mainThreadProfile(existsSync(dir) ? readdirSync(dir) : []);
  if (!name) throw new Error(`no .cpuprofile written in ${dir} (did the profiled process exit cleanly?)`);
  const profile = parseCpuProfile(readFileSync(join(dir, name), 'utf8'));
  const root = rootOf(o.benchDir);
  const originalLine = lineMapper(payloads);
  const queries = windows.map(({ q, fromUs, toUs, result }) => {
    const onClock = fromUs >= profile.startTime && toUs <= profile.endTime + 1_000_000;
    const summary = summarizeProfile(
      profile,
      onClock ? { root, originalLine, window: { fromUs, toUs } } : { root, originalLine },
    );
    return {
      query: q.key,
      label: q.label,
      load: {
        reqPerSec: result.reqPerSec,
        p50: result.p50,
        p99: result.p99,
        total: result.total,
        failed: failed(result),
      },
      summary: { ...summary, functions: summary.functions.slice(0, 40) },
      wholeProfile: !onClock || summary.samples === 0,
    };
  });
  return {
    file: relative(o.benchDir, join(dir, name)),
    sourceMaps: Object.keys(payloads).length,
    connections: o.connections,
    durationSec: o.durationSec,
    queries,
  };
}

const pct = (v: number | undefined) => (v === undefined ? '—' : `${v.toFixed(1)} %`);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/`/g, "'");

/** The report's section: areas side by side for every query, then each query's top functions. */
export function profileMarkdown(report: ProfileReport, top = 15, topAreas = 25): string {
  const qs = report.queries;
  // Areas ordered by their mean share over the queries; the rest folded into one row.
  const names = new Set(qs.flatMap((q) => q.summary.areas.map((a) => a.area)));
  const share = (q: QueryProfile, area: string) => q.summary.areas.find((a) => a.area === area)?.percent;
  const ranked = [...names]
    .map((area) => ({ area, mean: qs.reduce((s, q) => s + (share(q, area) ?? 0), 0) / qs.length }))
    .sort((a, b) => b.mean - a.mean);
  const shown = ranked.slice(0, topAreas);
  const rest = ranked.slice(topAreas).map((r) => r.area);
  const areaRows = shown.map(({ area }) => [`\`${cell(area)}\``, ...qs.map((q) => pct(share(q, area)))]);
  if (rest.length > 0) {
    areaRows.push([
      `(${rest.length} other areas)`,
      ...qs.map((q) => pct(rest.reduce((s, a) => s + (share(q, a) ?? 0), 0))),
    ]);
  }
  const lines = [
    '### Where the project’s CPU time goes',
    '',
    `A separate project process, started with \`--cpu-prof\` (V8’s sampling profiler, one sample a millisecond), served each query alone for ${report.durationSec} s at ${report.connections} connections after a warm-up. Only the samples taken during each query’s load count (not start-up, warm-up or shutdown). Self time: the time a function itself was on top of the stack (each sample counts for the interval until the next); percentages are of the whole window, idle included. The profiler slows the process, so its req/s are not comparable with the table above. It runs from source through tsx, as every target here does: tsx’s own frames (\`node_modules/tsx\`) are that, not production; lines in src/ are TypeScript lines, mapped back through the source maps tsx made (${report.sourceMaps} files). Profile: \`bench/${report.file}\` (not committed; open it in Chrome DevTools or speedscope).`,
    '',
    'Self time per layer:',
    '',
    table(
      ['layer', ...qs.map((q) => q.label)],
      LAYERS.map((layer) => [layer, ...qs.map((q) => pct(layerShares(q.summary.areas)[layer]))]).filter(
        (row) => row.slice(1).some((v) => v !== '0.0 %'),
      ),
    ),
    '',
    'Self time per area (a package under node_modules, a folder of src/, a Node core module, or V8’s own: `(garbage collector)`, `(program)` = V8/native work outside JavaScript, `(idle)` = waiting):',
    '',
    table(['area', ...qs.map((q) => `${q.label} (${fmt.rps(q.load.reqPerSec)} req/s)`)], areaRows),
  ];
  for (const q of qs) {
    lines.push(
      '',
      `Top ${top} functions by self time, ${q.label}: ${q.summary.samples.toLocaleString('en-US')} samples, ${fmt.rps(q.load.reqPerSec)} req/s, ${q.load.failed} failed${q.wholeProfile ? ' (WARNING: the load window could not be placed on the profile’s clock: the whole profile counts, start-up and the other queries included)' : ''}:`,
      '',
      table(
        ['#', 'self', 'function', 'where', 'area'],
        q.summary.functions
          .slice(0, top)
          .map((f, i) => [
            i + 1,
            pct(f.percent),
            `\`${cell(f.functionName)}\``,
            f.location ? `\`${cell(f.location)}\`` : '(native)',
            `\`${cell(f.area)}\``,
          ]),
      ),
    );
  }
  return lines.join('\n');
}
