import { randomBytes } from 'node:crypto';
import * as jose from 'jose';
import type { Mailer, PasswordResetMessage } from '../../src/auth/mailer.js';
import { REFRESH_COOKIE } from '../../src/auth/refresh-cookie.js';
import type { GqlResponse, TestApp } from '../helpers/app.js';

/**
 * The identity tests run with TRUST_PROXY=true and give every simulated client its own
 * X-Forwarded-For address, so per-IP limits (ours and the per-field @rateLimit) are exercised
 * only where a test means to.
 */
export const TRUSTING_PROXY = { TRUST_PROXY: 'true' } as const;

export const randomIp = () => {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
};
export const fromIp = (ip: string) => ({ 'x-forwarded-for': ip });

/** A test mailer: it keeps every message so a test can read the reset link. */
export class CapturingMailer implements Mailer {
  readonly messages: PasswordResetMessage[] = [];
  async sendPasswordReset(message: PasswordResetMessage): Promise<void> {
    this.messages.push(message);
  }
  lastTo(email: string): PasswordResetMessage | undefined {
    return this.messages.filter((m) => m.to === email).at(-1);
  }
}

export const REGISTER = `mutation($input: RegisterInput!) {
  register(input: $input) { accessToken expiresAt user { id email } }
}`;
export const LOGIN = `mutation($input: LoginInput!) {
  login(input: $input) { accessToken expiresAt user { id email } }
}`;
export const REFRESH = 'mutation { refreshSession { accessToken expiresAt user { id } } }';
export const LOGOUT = 'mutation { logout }';
export const LOGOUT_EVERYWHERE = 'mutation { logoutEverywhere }';
export const VIEWER = '{ viewer { id email } }';

export interface Session {
  id: string;
  email: string;
  password: string;
  ip: string;
  accessToken: string;
  refresh: string;
  bearer: Record<string, string>;
}

/** The refresh cookie a response sets (its value), or undefined. Asserts nothing. */
export function setCookieOf(res: GqlResponse): { value: string; raw: string } | undefined {
  for (const raw of res.headers.getSetCookie()) {
    const [pair] = raw.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0 && pair.slice(0, eq) === REFRESH_COOKIE) return { value: pair.slice(eq + 1), raw };
  }
  return undefined;
}

export const withCookie = (token: string, ip: string) => ({
  cookie: `${REFRESH_COOKIE}=${token}`,
  ...fromIp(ip),
});

export async function registerUser(t: TestApp, ip = randomIp()): Promise<Session> {
  const email = `id-${randomBytes(5).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const res = await t.gql(REGISTER, { input: { email, password, name: 'Identity Test' } }, fromIp(ip));
  const payload = res.body.data?.register as { accessToken: string; user: { id: string } } | undefined;
  const cookie = setCookieOf(res);
  if (!payload || !cookie) throw new Error(`register failed: ${res.status} ${res.text}`);
  return {
    id: payload.user.id,
    email,
    password,
    ip,
    accessToken: payload.accessToken,
    refresh: cookie.value,
    bearer: { authorization: `Bearer ${payload.accessToken}`, ...fromIp(ip) },
  };
}

export const login = (t: TestApp, email: string, password: string, ip: string) =>
  t.gql(LOGIN, { input: { email, password } }, fromIp(ip));

export const refresh = (t: TestApp, token: string, ip: string) => t.gql(REFRESH, {}, withCookie(token, ip));

export const codeOf = (res: GqlResponse) => res.body.errors?.[0]?.extensions?.code;

export const securityEvents = (t: TestApp, event: string) =>
  t.logs.filter((l) => l.security === true && l.event === event);

/** Signs an HS256 token with full control over header and claims (for forged-token tests). */
export async function signHs256(
  secret: string,
  claims: jose.JWTPayload,
  header: jose.JWTHeaderParameters = { alg: 'HS256', typ: 'JWT' },
): Promise<string> {
  return new jose.SignJWT(claims).setProtectedHeader(header).sign(new TextEncoder().encode(secret));
}
