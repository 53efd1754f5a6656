import { join } from 'node:path';
import { parseConfig } from '../src/config.js';
import { BENCH_SCHEMA, GENEROUS_LIMITS, RUN_ID, commonHeaders, projectEnv } from './lib/env.js';
import { removeRunData, seedFixtures } from './lib/fixtures.js';
import { HOSTILE_CLASSES, hostileBody, type HostileClass } from './lib/hostile.js';
import { firstCode, timedPost } from './lib/http.js';
import { startTarget, type TargetProcess } from './lib/processes.js';
import { CATALOGUE_QUERY } from './lib/queries.js';
import { busyWarning, fmt, machine, median, table, writeResults } from './lib/report.js';

export interface AttackOptions {
  benchDir: string;
  quick: boolean;
  /** Timed repetitions per document (after two untimed ones). */
  repeats: number;
}

/** A hostile document that takes this long is a finding in itself: the run moves on. */
const REQUEST_TIMEOUT_MS = 20_000;

interface Measurement {
  kind: HostileClass;
  label: string;
  bytes: number;
  medianMs: number;
  msPerKb: number;
  statuses: number[];
  code: string;
  timedOut: boolean;
}

async function timeDocument(url: string, body: string, repeats: number) {
  const headers = commonHeaders();
  const times: number[] = [];
  const statuses = new Set<number>();
  let code = '-';
  for (let i = 0; i < repeats + 2; i++) {
    const r = await Promise.race([
      timedPost(url, body, headers),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), REQUEST_TIMEOUT_MS).unref()),
    ]);
    if (!r) return { timedOut: true as const };
    statuses.add(r.status);
    code = firstCode(r.text);
    if (i >= 2) times.push(r.ms);
  }
  return { timedOut: false as const, medianMs: median(times), statuses: [...statuses], code };
}

export async function runAttacks(o: AttackOptions): Promise<void> {
  const logDir = join(o.benchDir, 'results', 'logs');
  const env = projectEnv();
  const maxBody = parseConfig(env).protections.bodyLimit.MAX_BODY_BYTES;
  const sizes: { label: string; bytes: number }[] = [
    { label: '1 KB', bytes: 1024 },
    { label: '10 KB', bytes: 10 * 1024 },
    { label: '100 KB', bytes: 100 * 1000 },
    { label: `limit (${maxBody} B)`, bytes: maxBody },
    { label: 'limit + 1 KB', bytes: maxBody + 1024 },
  ];
  let target: TargetProcess | undefined;
  const start = async () =>
    startTarget(
      'project',
      join(o.benchDir, 'targets', 'project.ts'),
      env,
      join(logDir, `${RUN_ID}-attacks.log`),
    );
  console.log(`machine: ${machine()}`);
  console.log(
    `body limit MAX_BODY_BYTES = ${maxBody} (from the config); project limits raised: ${GENEROUS_LIMITS}`,
  );
  try {
    await seedFixtures(BENCH_SCHEMA);
    target = await start();
    const url = () => `${target!.url}/graphql`;

    // The yardstick: how long the catalogue page takes to serve, measured the same way.
    const catalogue = await timeDocument(url(), JSON.stringify({ query: CATALOGUE_QUERY }), o.repeats);
    if (catalogue.timedOut || !catalogue.statuses.every((s) => s === 200)) {
      throw new Error('the catalogue page did not serve with 200');
    }
    console.log(
      `catalogue page served in ${fmt.ms(catalogue.medianMs)} (median of ${o.repeats}, one at a time)`,
    );

    const results: Measurement[] = [];
    for (const kind of HOSTILE_CLASSES) {
      for (const size of sizes) {
        const body = hostileBody(kind, size.bytes);
        const m = await timeDocument(url(), body, o.repeats);
        if (m.timedOut) {
          console.log(
            `${kind} ${size.label}: no answer within ${REQUEST_TIMEOUT_MS} ms — restarting the target`,
          );
          results.push({
            kind,
            label: size.label,
            bytes: size.bytes,
            medianMs: Infinity,
            msPerKb: Infinity,
            statuses: [],
            code: 'TIMEOUT',
            timedOut: true,
          });
          await target.stop();
          target = await start();
          break; // larger documents of this class would only take longer
        }
        const row: Measurement = {
          kind,
          label: size.label,
          bytes: size.bytes,
          medianMs: m.medianMs,
          msPerKb: m.medianMs / (size.bytes / 1024),
          statuses: m.statuses,
          code: m.code,
          timedOut: false,
        };
        results.push(row);
        console.log(
          `${kind.padEnd(17)} ${size.label.padEnd(20)} ${fmt.ms(row.medianMs).padStart(9)}  ${row.statuses.join('/')} ${row.code}`,
        );
      }
    }

    // ── Verdicts ────────────────────────────────────────────────────────────────────────────
    // Linear: from 10 KB to the limit (10×) the time may grow at most 10× (with 50 % slack for
    // noise); from 1 KB to 10 KB likewise. Fixed per-request overhead makes small documents look
    // dear per KB, so the per-KB figure should fall or stay flat as documents grow.
    const verdicts: string[] = [];
    const rows: (string | number)[][] = [];
    let allLinear = true;
    let allUnder = true;
    let all4xx = true;
    for (const kind of HOSTILE_CLASSES) {
      const rs = results.filter((r) => r.kind === kind);
      const at = (b: number) => rs.find((r) => r.bytes === b);
      const pairs: [number, number][] = [
        [1024, 10 * 1024],
        [10 * 1024, maxBody],
      ];
      let linear = true;
      for (const [a, b] of pairs) {
        const ra = at(a);
        const rb = at(b);
        if (!ra || !rb || rb.timedOut) {
          linear = false;
          continue;
        }
        // Under 1 ms the difference is noise: anything that fast is not an attacker's lever.
        if (rb.medianMs > 1 && rb.medianMs / ra.medianMs > 1.5 * (b / a)) linear = false;
      }
      const underLimit = rs.filter((r) => r.bytes <= maxBody);
      const slowest = Math.max(...underLimit.map((r) => r.medianMs));
      const under = slowest < catalogue.medianMs;
      const codesOk = rs.every((r) => !r.timedOut && r.statuses.every((s) => s === 400 || s === 413));
      allLinear &&= linear;
      allUnder &&= under;
      all4xx &&= codesOk;
      verdicts.push(
        `${kind}: ${linear ? 'linear or better' : 'NOT LINEAR'}; slowest under the limit ${fmt.ms(slowest)} ${under ? '<' : '≥'} catalogue ${fmt.ms(catalogue.medianMs)}; statuses ${codesOk ? '400/413 only' : 'NOT ALL 400/413'}`,
      );
      for (const r of rs) {
        rows.push([
          kind,
          r.label,
          r.timedOut ? `> ${REQUEST_TIMEOUT_MS} ms` : fmt.ms(r.medianMs),
          r.timedOut ? '—' : `${(r.msPerKb * 1000).toFixed(1)} µs`,
          r.statuses.join('/') || '—',
          r.code,
        ]);
      }
    }
    const md = [
      `## Attack cost${o.quick ? ' (QUICK smoke run: not for publication)' : ''}`,
      '',
      `Machine: ${machine()}.`,
      ...(busyWarning() ? ['', `**${busyWarning()}**`, ''] : []),
      `Run: ${new Date().toISOString()}. The project in production mode (Redis, PostgreSQL; ${GENEROUS_LIMITS} so repeated attacks are timed, not rate-limited). Each document is sent ${o.repeats} times one at a time after two untimed sends; the median time from send to last byte is shown. Body limit: MAX_BODY_BYTES = ${maxBody} bytes.`,
      '',
      `Yardstick: the catalogue page takes ${fmt.ms(catalogue.medianMs)} to serve, measured the same way.`,
      '',
      table(['class', 'size', 'reject time (median)', 'per KB', 'HTTP status', 'code'], rows),
      '',
      ...verdicts.map((v) => `- ${v}`),
      `- overall: rejection ${allLinear ? 'grows linearly (or better) with size' : 'does NOT grow linearly for every class'}; ${allUnder ? 'every hostile document under the body limit is rejected faster than the catalogue page is served' : 'SOME hostile document takes longer to reject than the catalogue page takes to serve'}; ${all4xx ? 'every rejection is a 400 or 413 (never 500)' : 'SOME rejection is not a 400/413'}.`,
    ].join('\n');
    console.log(`\n${md}\n`);
    const files = writeResults(join(o.benchDir, 'results'), o.quick ? 'attacks-quick' : 'attacks', md, {
      kind: 'attacks',
      quick: o.quick,
      date: new Date().toISOString(),
      machine: machine(),
      maxBodyBytes: maxBody,
      catalogueMs: catalogue.medianMs,
      results,
      allLinear,
      allUnder,
      all4xx,
    });
    console.log(`written: ${files.join(', ')}`);
  } finally {
    await target?.stop().catch(() => undefined);
    await removeRunData();
  }
}
