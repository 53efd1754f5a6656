import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { LoadJob, LoadResult, WorkerReply, WorkerRequest } from './load-types.js';
import { LOAD_CORE, spawnNode } from './processes.js';

/** The load generator process (bench/load-worker.ts), pinned to the load core. */
export interface LoadGenerator {
  run(jobs: LoadJob[]): Promise<LoadResult[]>;
  stop(): Promise<void>;
}

export async function startLoadGenerator(benchDir: string, logFile: string): Promise<LoadGenerator> {
  const child: ChildProcess = spawnNode({
    file: join(benchDir, 'load-worker.ts'),
    core: LOAD_CORE,
    env: {},
    logFile,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('load generator did not start')), 30_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
  let nextId = 1;
  return {
    run(jobs) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const onMessage = (m: WorkerReply) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          if (m.type === 'result') resolve(m.results);
          else reject(new Error(m.error));
        };
        child.on('message', onMessage);
        child.send({ type: 'run', id, jobs } satisfies WorkerRequest);
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
