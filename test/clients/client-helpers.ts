import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { REFRESH_COOKIE } from '../../src/auth/refresh-cookie.js';
import { startApp, TEST_JWT_SECRET, type StartOptions, type TestApp } from '../helpers/app.js';
import { createProducts } from '../helpers/fixtures.js';

// What the four client suites share: the server they drive, the documents they send, the cookie
// jar Node's fetch lacks, and an expired token. Each suite then writes its client's own code.

/** Products in the catalogue: enough for pagination over three pages and for the addReview limit. */
export const PRODUCT_COUNT = 12;
// login is @rateLimit(limit: 10, duration: 60, per: NETWORK) and a suite's clients all call from
// 127.0.0.1: a suite may sign in through `login` at most 10 times a minute (7 at most today).
/** addReview: @rateLimit(limit: 10, duration: 60), per viewer (schema/reviews.graphql). */
export const ADD_REVIEW_LIMIT = 10;

export interface ClientApp {
  t: TestApp;
  /** The endpoint every client is given. */
  endpoint: string;
  /** Product ids, newest first: the order `products` pages them in. */
  productIds: string[];
}

export async function startClientApp(options: StartOptions = {}): Promise<ClientApp> {
  const t = await startApp(options);
  const ids = await createProducts(t, PRODUCT_COUNT, 'Client product');
  return { t, endpoint: `${t.url}/graphql`, productIds: ids.reverse() };
}

export const PRODUCTS_PAGE = `query ProductsPage($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    edges { cursor node { id name priceCents } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

export const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken expiresAt user { id email } }
}`;

export const REFRESH_SESSION = `mutation RefreshSession {
  refreshSession { accessToken expiresAt user { id } }
}`;

export const VIEWER_ORDERS = `query ViewerOrders($first: Int!) {
  viewer { id email }
  myOrders(first: $first) { edges { node { id status totalCents } } totalCount }
}`;

export const CREATE_ORDER = `mutation CreateOrder($input: CreateOrderInput!) {
  createOrder(input: $input) { id status totalCents items { quantity product { id } } }
}`;

export const ADD_REVIEW = `mutation AddReview($input: AddReviewInput!) {
  addReview(input: $input) { id rating }
}`;

export const ORDER_ADDRESS = {
  line1: '1 Client Street',
  city: 'London',
  postcode: 'SW1A 1AA',
  country: 'GB',
};

/** A createOrder input that passes validation except for the two fields it breaks. */
export const badOrderInput = (productId: string) => ({
  items: [{ productId, quantity: 0 }],
  shippingAddress: { ...ORDER_ADDRESS, postcode: '!!' },
});
export const BAD_ORDER_FIELD_ERRORS = ['input.items.0.quantity', 'input.shippingAddress.postcode'];

/** The shapes the suites read out of answers (each client types them as unknown / any). */
export interface LoginPayload {
  accessToken: string;
  expiresAt: string;
  user: { id: string; email: string };
}
export interface ProductsPage {
  products: {
    edges: { cursor: string; node: { id: string; name: string; priceCents: number } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    totalCount: number;
  };
}
export interface ViewerOrders {
  viewer: { id: string; email: string } | null;
  myOrders: { edges: { node: { id: string; status: string; totalCents: number } }[]; totalCount: number };
}
export interface Cost {
  requested: number;
  actual: number;
  limit: number;
  remaining: number;
  resetAt: string;
}

/** One request as the server answered it, as the jar saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  headers: Headers;
}

/**
 * Node's fetch keeps no cookies (a browser would, with `credentials: 'include'`): this wrapper is a
 * cookie jar of one. It stores the refresh cookie `login` and `refreshSession` set, sends it back
 * on every request, and forgets it when the server clears it. It also records what each request
 * was, so a test can see the method a client chose and the content type it got back.
 */
export function cookieJarFetch(base: typeof fetch = fetch) {
  let refreshCookie: string | undefined;
  const seen: SeenRequest[] = [];
  const jarFetch: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const headers = new Headers(init?.headers ?? request?.headers);
    if (refreshCookie !== undefined) headers.set('cookie', `${REFRESH_COOKIE}=${refreshCookie}`);
    const res = await base(input, { ...init, headers });
    for (const raw of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = raw.split(';');
      const eq = pair.indexOf('=');
      if (pair.slice(0, eq).trim() !== REFRESH_COOKIE) continue;
      const value = pair.slice(eq + 1).trim();
      // clearCookie sends an empty value with a past Expires: the session is over.
      const cleared = value === '' || attributes.some((a) => /^\s*expires=thu, 01 jan 1970/i.test(a));
      refreshCookie = cleared ? undefined : value;
    }
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    seen.push({
      method: init?.method ?? request?.method ?? 'GET',
      url,
      status: res.status,
      contentType: res.headers.get('content-type'),
      headers: headers,
    });
    return res;
  };
  return {
    fetch: jarFetch,
    /** The refresh token the jar holds, if any. */
    cookie: () => refreshCookie,
    seen,
    last: () => seen.at(-1),
  };
}

/**
 * An access token for `userId` exactly as src/auth/tokens.ts signs one (HS256, iss, aud, typ, every
 * required claim), but expired an hour ago: a client holding it past its 15 minutes.
 */
export async function expiredAccessToken(t: TestApp, userId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ ver: 0 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(t.app.config.jwt.issuer)
    .setAudience(t.app.config.jwt.audience)
    .setSubject(userId)
    .setJti(randomUUID())
    .setIssuedAt(now - 2 * 3600)
    .setNotBefore(now - 2 * 3600)
    .setExpirationTime(now - 3600)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

/** extensions.cost as every successful answer carries it (docs/cost.md). */
export function assertCost(cost: unknown): asserts cost is Cost {
  assert.ok(cost && typeof cost === 'object', `extensions.cost missing: ${JSON.stringify(cost)}`);
  const c = cost as Record<string, unknown>;
  for (const key of ['requested', 'actual', 'limit', 'remaining'])
    assert.equal(typeof c[key], 'number', `cost.${key} in ${JSON.stringify(cost)}`);
  assert.ok(!Number.isNaN(Date.parse(String(c.resetAt))), `cost.resetAt in ${JSON.stringify(cost)}`);
  assert.ok((c.actual as number) <= (c.requested as number), 'actual is at most the estimate');
  assert.ok((c.remaining as number) <= (c.limit as number), 'remaining is within the limit');
}

/** The error shape every client ends up exposing: message plus extensions. */
export interface WireError {
  message: string;
  extensions?: Record<string, unknown> | undefined;
}

/** Asserts the one RATE_LIMITED error a field limit gives, with a sane retryAfter (seconds). */
export function assertRateLimited(errors: readonly WireError[] | undefined): void {
  const error = errors?.find((e) => e.extensions?.code === 'RATE_LIMITED');
  assert.ok(error, `no RATE_LIMITED in ${JSON.stringify(errors)}`);
  const retryAfter = error.extensions?.retryAfter;
  assert.equal(typeof retryAfter, 'number', JSON.stringify(error));
  assert.ok((retryAfter as number) >= 1 && (retryAfter as number) <= 60, String(retryAfter));
}

/** Asserts the one BAD_USER_INPUT a bad createOrder gives, keyed by the two input paths it breaks. */
export function assertFieldErrors(errors: readonly WireError[] | undefined): void {
  assert.equal(errors?.length, 1, JSON.stringify(errors));
  const [error] = errors ?? [];
  assert.equal(error?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(error));
  const fieldErrors = error?.extensions?.fieldErrors as Record<string, string> | undefined;
  assert.deepEqual(Object.keys(fieldErrors ?? {}).sort(), BAD_ORDER_FIELD_ERRORS);
  for (const message of Object.values(fieldErrors ?? {})) assert.equal(typeof message, 'string');
}

/** The code of the first error, for a refusal the client exposes as a list of GraphQL errors. */
export const firstCode = (errors: readonly WireError[] | undefined) => errors?.[0]?.extensions?.code;
