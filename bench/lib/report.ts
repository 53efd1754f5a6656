import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORES } from './processes.js';

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The 1-minute load average when the run started: above the core count, other work was competing
 * for the same cores and the figures are not publishable.
 */
export const LOAD_AT_START = loadavg()[0] ?? 0;

export function busyWarning(): string | undefined {
  return LOAD_AT_START > cpus().length * 0.5
    ? `WARNING: load average ${LOAD_AT_START.toFixed(1)} on ${cpus().length} cores at start: other processes were competing for the CPU, so these figures are noisy; re-run on an idle machine.`
    : undefined;
}

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const pin = CORES.pinned
    ? 'server on core 0, load generator on core 1 (taskset)'
    : 'not pinned (no taskset or one core)';
  return `${CORES.count} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}; ${pin}; load average at start ${LOAD_AT_START.toFixed(1)}`;
}

/** A Markdown table; the same text is printed and written. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function writeResults(dir: string, name: string, markdown: string, json: unknown): string[] {
  mkdirSync(dir, { recursive: true });
  const md = join(dir, `${name}.md`);
  const js = join(dir, `${name}.json`);
  writeFileSync(md, `${markdown}\n`);
  writeFileSync(js, `${JSON.stringify(json, null, 2)}\n`);
  return [md, js];
}

export const fmt = {
  rps: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—'),
  ms: (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : 1)} ms` : '—'),
  ratio: (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—'),
  mib: (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`,
};
