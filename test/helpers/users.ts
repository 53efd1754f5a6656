import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/auth/passwords.js';
import { REFRESH_COOKIE } from '../../src/auth/refresh-cookie.js';
import { createTokenService, type TokenService } from '../../src/auth/tokens.js';
import type { Scope } from '../../src/generated/schema-types.js';
import type { TestApp } from './app.js';
import type { GqlResponse } from './graphql.js';
import { fromIp, randomIp } from './network.js';

export type Role = 'CUSTOMER' | 'ADMIN';

/** A user as every suite sees it: its credentials and the headers that act as it. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  /** Authorization: Bearer <access token> (and X-Forwarded-For when the user has an address). */
  headers: Record<string, string>;
}

/** A user registered through the real API, with the session register opened. */
export interface Session extends TestUser {
  ip: string;
  accessToken: string;
  refresh: string;
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

const randomEmail = () => `u-${randomBytes(5).toString('hex')}@example.com`;
const randomPassword = () => `pw-${randomBytes(9).toString('hex')}`;

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

/**
 * Registers a user through the real API from `ip` (a random address by default; it counts only
 * where the app trusts the proxy), and promotes it with SQL when `role` is ADMIN.
 */
export async function registerUser(
  t: TestApp,
  { ip = randomIp(), role = 'CUSTOMER' }: { ip?: string; role?: Role } = {},
): Promise<Session> {
  const email = randomEmail();
  const password = randomPassword();
  const res = await t.gql(REGISTER, { input: { email, password, name: 'Test User' } }, fromIp(ip));
  const payload = res.body.data?.register as { accessToken: string; user: { id: string } } | undefined;
  const cookie = setCookieOf(res);
  if (!payload || !cookie) throw new Error(`register failed: ${res.status} ${res.text}`);
  if (role === 'ADMIN')
    await t.app.db.query("UPDATE users SET role = 'ADMIN' WHERE id = $1", [payload.user.id]);
  return {
    id: payload.user.id,
    email,
    password,
    ip,
    accessToken: payload.accessToken,
    refresh: cookie.value,
    headers: { authorization: `Bearer ${payload.accessToken}`, ...fromIp(ip) },
  };
}

export const login = (t: TestApp, email: string, password: string, ip: string) =>
  t.gql(LOGIN, { input: { email, password } }, fromIp(ip));

export const refresh = (t: TestApp, token: string, ip: string) => t.gql(REFRESH, {}, withCookie(token, ip));

const tokenServices = new WeakMap<TestApp, Promise<TokenService>>();

/**
 * A user inserted directly (a fixture, not the feature under test) with a real password hash and
 * a real access token signed with the app's own key: no register/login call spends an identity
 * rate limit. With `ip`, its headers also carry X-Forwarded-For.
 */
export async function insertUser(
  t: TestApp,
  { role = 'CUSTOMER', ip }: { role?: Role; ip?: string } = {},
): Promise<TestUser> {
  const email = randomEmail();
  const password = randomPassword();
  const [row] = await t.app.db.query<{ id: string }>(
    'INSERT INTO users (email, name, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING id',
    [email, 'Test User', await hashPassword(password), role],
  );
  if (!row) throw new Error('user insert failed');
  let tokens = tokenServices.get(t);
  if (!tokens) {
    tokens = createTokenService(t.app.config);
    tokenServices.set(t, tokens);
  }
  const { token } = await (await tokens).sign(row.id, 0);
  return {
    id: row.id,
    email,
    password,
    headers: { authorization: `Bearer ${token}`, ...(ip === undefined ? {} : fromIp(ip)) },
  };
}

export interface TestApiKey {
  id: string;
  secret: string;
  headers: Record<string, string>;
}

/** Creates an API key through the real `createApiKey` mutation; returns its id, secret and X-API-Key header. */
export async function createApiKey(
  t: TestApp,
  owner: Pick<TestUser, 'headers'>,
  scopes: readonly Scope[],
): Promise<TestApiKey> {
  const res = await t.gql(
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }',
    { input: { name: 'test key', scopes } },
    owner.headers,
  );
  const created = res.body.data?.createApiKey as { secret: string; apiKey: { id: string } } | undefined;
  if (!created) throw new Error(`createApiKey failed: ${res.text}`);
  return { id: created.apiKey.id, secret: created.secret, headers: { 'x-api-key': created.secret } };
}
