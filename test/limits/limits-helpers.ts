import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { hashPassword } from '../../src/auth/passwords.js';
import { createTokenService } from '../../src/auth/tokens.js';
import type { GqlResponse, TestApp } from '../helpers/app.js';

/**
 * The limit tests run with TRUST_PROXY=true so each simulated client can have its own address
 * (X-Forwarded-For from the trusted loopback "proxy"): every test spends only its own budgets.
 */
export const TRUSTING_PROXY = { TRUST_PROXY: 'true' } as const;

export const randomIp = () => {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
};
export const fromIp = (ip: string) => ({ 'x-forwarded-for': ip });

export const codeOf = (res: GqlResponse, i = 0) => res.body.errors?.[i]?.extensions?.code;

export const securityEvents = (t: TestApp, event: string) =>
  t.logs.filter((l) => l.security === true && l.event === event);

export interface LimitUser {
  id: string;
  email: string;
  password: string;
  headers: Record<string, string>;
}

/**
 * A user inserted directly (a fixture, not the feature under test) with a real password hash and
 * a real access token signed with the app's own key: no register call spends a rate limit.
 */
export async function makeUser(t: TestApp, ip = randomIp()): Promise<LimitUser> {
  const email = `lim-${randomBytes(5).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const rows = await t.app.db.query<{ id: string }>(
    'INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id',
    [email, 'Limit Test', await hashPassword(password)],
  );
  const id = rows[0]?.id;
  if (!id) throw new Error('user insert failed');
  const { token } = await (await createTokenService(t.app.config)).sign(id, 0);
  return { id, email, password, headers: { authorization: `Bearer ${token}`, ...fromIp(ip) } };
}

export { freePort } from '../helpers/process.js';

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
