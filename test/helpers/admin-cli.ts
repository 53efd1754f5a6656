import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs src/cli/admin.ts as an operator does (through tsx, as process.ts runs main.ts) with
 * exactly `env` and `stdin` piped in (empty by default: never a terminal).
 */
export function admin(args: readonly string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A command that refuses before reading standard input may close it first.
  child.stdin.on('error', () => undefined);
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The given exit code, the message (on stdout for 0, stderr otherwise), and no stack trace
 * anywhere.
 */
export function assertExit(result: CliResult, code: number, message: RegExp, label = ''): void {
  assert.equal(result.code, code, `${label} exit code; stderr: ${result.stderr}; stdout: ${result.stdout}`);
  assert.match(code === 0 ? result.stdout : result.stderr, message);
  assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at |node:internal|\.ts:\d+/, 'no stack trace');
}
