import { createHash, randomBytes } from 'node:crypto';
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

/** A user registered and verified through the real API, with the session verifyEmail opened. */
export interface Session extends TestUser {
  ip: string;
  accessToken: string;
  refresh: string;
}

export const REGISTER = 'mutation($input: RegisterInput!) { register(input: $input) }';
export const VERIFY_EMAIL = `mutation($token: String!) {
  verifyEmail(token: $token) { accessToken expiresAt user { id email } }
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
 * A verification token for the account of `email`, written straight into the database (as
 * register writes one, hashed): the mail leg of sign-up, skipped. The sign-up suite reads the real
 * link from a real SMTP server instead.
 */
export async function plantVerificationToken(t: TestApp, email: string): Promise<string> {
  // register writes the account after its answer: let that work finish first.
  await t.app.idle();
  const token = randomBytes(32).toString('base64url');
  const rows = await t.app.db.query(
    `INSERT INTO email_verification_tokens (user_id, token_hash, expires_at)
     SELECT id, $2, now() + interval '1 hour' FROM users WHERE lower(email) = lower($1) RETURNING id`,
    [email, createHash('sha256').update(token).digest('hex')],
  );
  if (rows.length !== 1) throw new Error(`no account for ${email}`);
  return token;
}

/**
 * Signs a user up through the real API from `ip` (a random address by default; it counts only
 * where the app trusts the proxy): register, then verifyEmail with a planted token (the mail is
 * not read), which opens the session. Promoted with SQL when `role` is ADMIN.
 */
export async function registerUser(
  t: TestApp,
  {
    ip = randomIp(),
    role = 'CUSTOMER',
    email = randomEmail(),
    password = randomPassword(),
  }: { ip?: string; role?: Role; email?: string; password?: string } = {},
): Promise<Session> {
  const res = await t.gql(REGISTER, { input: { email, password, name: 'Test User' } }, fromIp(ip));
  if (res.body.data?.register !== true) throw new Error(`register failed: ${res.status} ${res.text}`);
  const verified = await t.gql(VERIFY_EMAIL, { token: await plantVerificationToken(t, email) }, fromIp(ip));
  const payload = verified.body.data?.verifyEmail as
    { accessToken: string; user: { id: string } } | undefined;
  const cookie = setCookieOf(verified);
  if (!payload || !cookie) throw new Error(`verifyEmail failed: ${verified.status} ${verified.text}`);
  if (role === 'ADMIN')
    await t.app.db.query("UPDATE users SET role = 'ADMIN' WHERE id = $1", [payload.user.id]);
  return {
    id: payload.user.id,
    email: email.toLowerCase(),
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
 * A user inserted directly (a fixture, not the feature under test), verified, with a real password
 * hash and a real access token signed with the app's own key: no register/login call spends an
 * identity rate limit. With `ip`, its headers also carry X-Forwarded-For.
 */
export async function insertUser(
  t: TestApp,
  { role = 'CUSTOMER', ip }: { role?: Role; ip?: string } = {},
): Promise<TestUser> {
  const email = randomEmail();
  const password = randomPassword();
  const [row] = await t.app.db.query<{ id: string }>(
    `INSERT INTO users (email, name, password_hash, role, email_verified_at)
     VALUES ($1, $2, $3, $4, now()) RETURNING id`,
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
