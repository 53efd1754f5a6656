import { existsSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { CommandFailed } from './errors.js';

/** Where createDb keeps PGlite's files under DATA_DIR (src/db/client.ts). */
export const pgliteDirectory = (dataDir: string) => `${dataDir.replace(/\/$/, '')}/pgdata`;

export type PgliteUse =
  | { readonly state: 'free' }
  | { readonly state: 'held'; readonly pids: readonly number[] }
  | { readonly state: 'unknown' };

/**
 * Whether another process has the PGlite directory open. PGlite writes `postmaster.pid` when it
 * opens a directory and deletes it on close, but never checks it: a second process opens the same
 * files without complaint and the two overwrite each other's pages. So the file only says "maybe":
 * on Linux the open files of every process (/proc/<pid>/fd) tell which one holds it. A process
 * whose files cannot be read (another user's) leaves it unknown.
 */
export function pgliteUse(dataDir: string): PgliteUse {
  const dir = pgliteDirectory(dataDir);
  if (!existsSync(join(dir, 'postmaster.pid'))) return { state: 'free' };
  if (!existsSync('/proc/self/fd')) return { state: 'unknown' };
  const root = `${realpathSync(dir)}/`;
  const pids: number[] = [];
  let unreadable = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch (error) {
      // ENOENT: the process ended meanwhile. EACCES: another user's, which could be the server.
      if ((error as { code?: unknown }).code !== 'ENOENT') unreadable = true;
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue; // closed meanwhile
      }
      if (target.startsWith(root)) {
        pids.push(Number(entry));
        break;
      }
    }
  }
  if (pids.length > 0) return { state: 'held', pids };
  // Nobody we can see holds it: the file was left by a process that did not close it, unless an
  // unreadable process holds it.
  return unreadable ? { state: 'unknown' } : { state: 'free' };
}

/** Refuses, with what to do, when the PGlite directory is (or may be) open in another process. */
export function assertPgliteFree(dataDir: string): void {
  const use = pgliteUse(dataDir);
  if (use.state === 'free') return;
  const remedy =
    'PGlite lets one process use a data directory at a time. Stop the server, run this command, then ' +
    'start the server again (or run both on PostgreSQL with DATABASE_URL).';
  if (use.state === 'held') {
    const who = use.pids.length === 1 ? `process ${use.pids[0]}` : `processes ${use.pids.join(', ')}`;
    throw new CommandFailed(
      `the database in DATA_DIR=${dataDir} is open in ${who}, most likely the running server. ${remedy}`,
    );
  }
  throw new CommandFailed(
    `the database in DATA_DIR=${dataDir} may be open in another process (${join(pgliteDirectory(dataDir), 'postmaster.pid')} exists). ${remedy} ` +
      'If no server is running, that file was left by one that did not stop cleanly: delete it and run this command again.',
  );
}
