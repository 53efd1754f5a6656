import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSideBySide } from './side-by-side.js';

// `npm run bench [-- attacks | heaviest | soak | equal-time | metrics-cost] [--quick]`; the default run also takes
// --rounds, --duration, --warmup (seconds), --connections=10,100, --memory-requests and
// --profile=SECONDS (per query on the --cpu-prof project process; 0 skips the profile). Every mode is bounded in time and count and
// talks to 127.0.0.1 only. Results go to bench/results/ (quick runs to *quick.* files, not committed).

const benchDir = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const mode = args.find((a) => !a.startsWith('--')) ?? 'run';
const quick = args.includes('--quick');

function numberFlag(name: string, fallback: number): number {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** `--name=10,100`: positive integers, in the order given, without repeats. */
function listFlag(name: string, fallback: number[]): number[] {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  if (!arg) return fallback;
  const values = arg
    .slice(name.length + 3)
    .split(',')
    .map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new Error(`--${name} must be a comma-separated list of positive integers, e.g. --${name}=10,100`);
  }
  return [...new Set(values)];
}

/** `--name=N` with N ≥ 0 (0 turns the phase off). */
function countFlag(name: string, fallback: number): number {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0`);
  return value;
}

async function main(): Promise<void> {
  if (mode === 'run') {
    await runSideBySide({
      benchDir,
      quick,
      rounds: numberFlag('rounds', quick ? 1 : 3),
      durationSec: numberFlag('duration', quick ? 2 : 5),
      warmupSec: numberFlag('warmup', quick ? 1 : 2),
      // p50 / p99 and throughput at 10 and at 100 connections (issue 15), in the same rounds.
      connections: listFlag('connections', [10, 100]),
      memoryRequests: numberFlag('memory-requests', quick ? 20_000 : 200_000),
      // Seconds of load per query on a separate project process under --cpu-prof (0: none).
      profileSec: countFlag('profile', quick ? 3 : 10),
    });
  } else if (mode === 'attacks') {
    const { runAttacks } = await import('./attacks.js');
    await runAttacks({ benchDir, quick, repeats: numberFlag('repeats', quick ? 5 : 25) });
    // The heaviest operation the limits allow, with another client's latency beside it.
    const { runHeaviest } = await import('./heaviest.js');
    await runHeaviest({ benchDir, quick, repeats: numberFlag('heavy-repeats', quick ? 3 : 10) });
  } else if (mode === 'heaviest') {
    const { runHeaviest } = await import('./heaviest.js');
    await runHeaviest({ benchDir, quick, repeats: numberFlag('heavy-repeats', quick ? 3 : 10) });
  } else if (mode === 'soak') {
    const { runSoak } = await import('./soak.js');
    await runSoak({ benchDir, quick, connections: numberFlag('connections', 100) });
  } else if (mode === 'equal-time') {
    const { runEqualTime } = await import('./equal-time.js');
    await runEqualTime({ benchDir, quick, pairs: numberFlag('pairs', quick ? 30 : 200) });
  } else if (mode === 'metrics-cost') {
    const { runMetricsCost } = await import('./metrics-cost.js');
    await runMetricsCost({ requests: numberFlag('requests', quick ? 20_000 : 200_000) });
  } else {
    throw new Error(
      `unknown mode "${mode}": use run (default), attacks, heaviest, soak, equal-time or metrics-cost`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
