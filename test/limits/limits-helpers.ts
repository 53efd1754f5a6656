import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';

/** A login attempt that asks for the token only (the smallest login document). */
export const LOGIN_ATTEMPT = 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }';
export const loginAs = (email: string, password: string) => ({ input: { email, password } });
/** Variables of a login that fails (an unknown account): it always fails, as UNAUTHENTICATED until a limit refuses it. */
export const nobody = () =>
  loginAs(`nobody-${randomBytes(4).toString('hex')}@example.com`, 'wrong-password-123');

/**
 * A redis-server owned by one test, on its own port, with no persistence: it can be stopped and
 * restarted without touching the shared Redis on 6379.
 */
export class OwnedRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start')), 5000);
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}`));
      });
    });
    child.stdout?.resume();
  }
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/** Polls until `check` is true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
