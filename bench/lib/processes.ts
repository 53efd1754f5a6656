import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import type { SourceMapPayload } from 'node:module';
import { join } from 'node:path';
import type { ParentMessage, TargetMessage } from '../targets/serve.js';

/** Whether `taskset` exists here and the machine has at least two cores to split. */
export const CORES = (() => {
  const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const nproc = Number(spawnSync('nproc', []).stdout?.toString().trim() ?? '1');
  return { pinned: hasTaskset && nproc >= 2, count: nproc };
})();

/** Core 0 for servers, core 1 for the load generator (when there are two and taskset exists). */
export const SERVER_CORE = '0';
export const LOAD_CORE = '1';

export interface SpawnOptions {
  /** A TypeScript file run with tsx. */
  file: string;
  core: string;
  env: Record<string, string | undefined>;
  /** stdout/stderr go here (a file: a pipe nobody reads would stall a chatty child). */
  logFile: string;
  nodeArgs?: string[];
}

/** Spawns `node --import tsx file`, pinned with taskset when available, with an IPC channel. */
export function spawnNode(options: SpawnOptions): ChildProcess {
  mkdirSync(join(options.logFile, '..'), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  const nodeArgs = [...(options.nodeArgs ?? []), '--import', 'tsx', options.file];
  const [cmd, args] = CORES.pinned
    ? ['taskset', ['-c', options.core, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(cmd, args as string[], {
    stdio: ['ignore', fd, fd, 'ipc'],
    env: { ...process.env, ...options.env } as NodeJS.ProcessEnv,
  });
  closeSync(fd);
  return child;
}

export interface TargetProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  memory(): Promise<{ rss: number; heapUsed: number; gcForced: boolean }>;
  /** The source maps the process holds for these file: URLs (those it loaded through tsx). */
  sourceMaps(urls: string[]): Promise<Record<string, SourceMapPayload>>;
  stop(): Promise<void>;
}

function waitFor<T extends TargetMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<TargetMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`no "${type}" message within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (m: TargetMessage) => {
      if (m.type === type) finish(undefined, m as Extract<TargetMessage, { type: T }>);
      else if (m.type === 'failed') finish(new Error(m.error));
    };
    const onExit = (code: number | null) => finish(new Error(`exited with ${code} before "${type}"`));
    function finish(error?: Error, value?: Extract<TargetMessage, { type: T }>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Starts a benchmark target (bench/targets/*.ts) on the server core and waits until it listens.
 * `nodeArgs` go to node before the file (e.g. `--cpu-prof`); `--expose-gc` is always on.
 */
export async function startTarget(
  name: string,
  file: string,
  env: Record<string, string | undefined>,
  logFile: string,
  nodeArgs: readonly string[] = [],
): Promise<TargetProcess> {
  const child = spawnNode({ file, core: SERVER_CORE, env, logFile, nodeArgs: ['--expose-gc', ...nodeArgs] });
  const ready = await waitFor(child, 'ready', 60_000).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`target ${name} failed to start (log: ${logFile}): ${String(error)}`);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    port: ready.port,
    url: `http://127.0.0.1:${ready.port}`,
    child,
    async memory() {
      const reply = waitFor(child, 'memory', 30_000);
      child.send({ type: 'memory' } satisfies ParentMessage);
      const { rss, heapUsed, gcForced } = await reply;
      return { rss, heapUsed, gcForced };
    },
    async sourceMaps(urls) {
      const reply = waitFor(child, 'sourceMaps', 30_000);
      child.send({ type: 'sourceMaps', urls } satisfies ParentMessage);
      return (await reply).maps;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' } satisfies ParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
