import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, cacheExchange, fetchExchange, type AnyVariables, type OperationResult } from '@urql/core';
import { requireService } from '../helpers/env.js';
import { insertUser } from '../helpers/users.js';
import {
  ADD_REVIEW,
  ADD_REVIEW_LIMIT,
  CREATE_ORDER,
  LOGIN,
  ORDER_ADDRESS,
  PRODUCT_COUNT,
  PRODUCTS_PAGE,
  REFRESH_SESSION,
  VIEWER_ORDERS,
  assertCost,
  assertFieldErrors,
  assertRateLimited,
  badOrderInput,
  cookieJarFetch,
  expiredAccessToken,
  firstCode,
  startClientApp,
  type ClientApp,
  type LoginPayload,
  type ProductsPage,
  type ViewerOrders,
} from './client-helpers.js';

// urql (@urql/core) with its default exchanges, against the real server on PostgreSQL. urql sends
// queries as GET (preferGetMethod: 'within-url-limit'); the server's CSRF check refuses a GET that
// carries no preflight header, so the client sends `apollo-require-preflight` on every request.

const skip = requireService('DATABASE_URL');

const isUnauthenticated = (result: OperationResult) =>
  result.error?.graphQLErrors.some((e) => e.extensions.code === 'UNAUTHENTICATED') ?? false;

/** One app's urql Client: its cookie jar and its access token (memory only). */
function urqlSession(endpoint: string, { preflight = true }: { preflight?: boolean } = {}) {
  const jar = cookieJarFetch();
  const state: { accessToken: string | undefined; refreshes: number } = {
    accessToken: undefined,
    refreshes: 0,
  };
  const client = new Client({
    url: endpoint,
    exchanges: [cacheExchange, fetchExchange],
    fetch: jar.fetch,
    // A function: read on every request, so a refreshed token is sent from then on.
    fetchOptions: () => ({
      headers: {
        ...(preflight ? { 'apollo-require-preflight': 'true' } : {}),
        ...(state.accessToken ? { authorization: `Bearer ${state.accessToken}` } : {}),
      },
    }),
  });

  /**
   * The refresh recipe without @urql/exchange-auth: on UNAUTHENTICATED, refreshSession (the jar
   * sends the cookie), keep the new token, run the operation once more.
   */
  async function withRefresh<T>(run: () => Promise<OperationResult<T, AnyVariables>>) {
    const first = await run();
    if (!isUnauthenticated(first)) return first;
    const refreshed = await client
      .mutation<{ refreshSession: LoginPayload }>(REFRESH_SESSION, {})
      .toPromise();
    if (!refreshed.data) return first;
    state.accessToken = refreshed.data.refreshSession.accessToken;
    state.refreshes += 1;
    return run();
  }
  return { client, jar, state, withRefresh };
}

describe('urql (@urql/core) against the real server (PostgreSQL)', { skip }, () => {
  let app: ClientApp;
  before(async () => {
    app = await startClientApp({ driver: 'pg' });
  });
  after(async () => {
    await app?.t.stop();
  });

  async function signedIn() {
    const user = await insertUser(app.t);
    const session = urqlSession(app.endpoint);
    const result = await session.client
      .mutation<{ login: LoginPayload }>(LOGIN, { input: { email: user.email, password: user.password } })
      .toPromise();
    assert.equal(result.error, undefined, String(result.error));
    assert.ok(result.data?.login.accessToken);
    session.state.accessToken = result.data.login.accessToken;
    return { user, ...session };
  }

  it('with no preflight header, its GET queries are refused: 400, reason PREFLIGHT_REQUIRED', async () => {
    const { client, jar } = urqlSession(app.endpoint, { preflight: false });
    const result = await client.query(PRODUCTS_PAGE, { first: 2 }).toPromise();
    assert.equal(jar.last()?.method, 'GET');
    assert.equal(jar.last()?.status, 400);
    assert.match(jar.last()?.contentType ?? '', /application\/graphql-response\+json/);
    assert.equal(result.data, undefined);
    const [error] = result.error?.graphQLErrors ?? [];
    assert.equal(error?.extensions.code, 'BAD_USER_INPUT', String(result.error));
    assert.equal(error?.extensions.reason, 'PREFLIGHT_REQUIRED', String(result.error));
    assert.match(error?.message ?? '', /apollo-require-preflight/);
  });

  it('preferGetMethod: false (POST with a JSON body) also passes, without the header', async () => {
    const jar = cookieJarFetch();
    const client = new Client({
      url: app.endpoint,
      exchanges: [cacheExchange, fetchExchange],
      fetch: jar.fetch,
      preferGetMethod: false,
    });
    const result = await client.query<ProductsPage>(PRODUCTS_PAGE, { first: 2 }).toPromise();
    assert.equal(result.error, undefined, String(result.error));
    assert.equal(result.data?.products.edges.length, 2);
    assert.equal(jar.last()?.method, 'POST');
  });

  it('pages through products with first/after (Relay connection), as GET with the preflight header', async () => {
    const { client, jar } = urqlSession(app.endpoint);
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: OperationResult<ProductsPage> = await client
        .query<ProductsPage>(PRODUCTS_PAGE, { first: 5, after })
        .toPromise();
      assert.equal(result.error, undefined, String(result.error));
      const page = result.data?.products;
      assert.ok(page);
      pages += 1;
      assert.equal(page.totalCount, PRODUCT_COUNT);
      ids.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      assert.ok(after, 'a page with a next page has an endCursor');
    }
    assert.equal(pages, 3);
    assert.deepEqual(ids, app.productIds);
    assert.deepEqual(
      jar.seen.map((r) => [r.method, r.status]),
      [
        ['GET', 200],
        ['GET', 200],
        ['GET', 200],
      ],
    );
  });

  it('signs in with login (a POST): the token stays in memory, the refresh cookie in the jar', async () => {
    const { jar, state } = await signedIn();
    assert.match(state.accessToken ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(jar.cookie() ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(jar.last()?.method, 'POST');
  });

  it('an authenticated query: viewer and myOrders', async () => {
    const { user, client } = await signedIn();
    const result = await client.query<ViewerOrders>(VIEWER_ORDERS, { first: 5 }).toPromise();
    assert.equal(result.error, undefined, String(result.error));
    assert.equal(result.data?.viewer?.id, user.id);
    assert.equal(result.data?.viewer?.email, user.email);
    assert.equal(result.data?.myOrders.totalCount, 0);
  });

  it('a mutation: createOrder, then myOrders lists it', async () => {
    const { client } = await signedIn();
    const created = await client
      .mutation<{ createOrder: { id: string; status: string } }>(CREATE_ORDER, {
        input: { items: [{ productId: app.productIds[0], quantity: 1 }], shippingAddress: ORDER_ADDRESS },
      })
      .toPromise();
    assert.equal(created.error, undefined, String(created.error));
    assert.equal(created.data?.createOrder.status, 'PENDING');
    // The document cache would answer from memory: network-only asks the server again.
    const orders = await client
      .query<ViewerOrders>(VIEWER_ORDERS, { first: 5 }, { requestPolicy: 'network-only' })
      .toPromise();
    assert.deepEqual(
      orders.data?.myOrders.edges.map((e) => e.node.id),
      [created.data?.createOrder.id],
    );
  });

  it('a field rate limit: the 11th addReview in a minute is RATE_LIMITED with retryAfter', async () => {
    const { client } = await signedIn();
    const review = (i: number) => ({
      input: { productId: app.productIds[i], rating: 3, body: `Review ${i}` },
    });
    for (let i = 0; i < ADD_REVIEW_LIMIT; i++) {
      const ok = await client.mutation(ADD_REVIEW, review(i)).toPromise();
      assert.equal(ok.error, undefined, String(ok.error));
    }
    const limited = await client.mutation(ADD_REVIEW, review(ADD_REVIEW_LIMIT)).toPromise();
    // urql never throws: GraphQL errors are on result.error (a CombinedError).
    assertRateLimited(limited.error?.graphQLErrors);
  });

  it('BAD_USER_INPUT carries extensions.fieldErrors', async () => {
    const { client } = await signedIn();
    const result = await client
      .mutation(CREATE_ORDER, { input: badOrderInput(app.productIds[0] ?? '') })
      .toPromise();
    assert.equal(result.error?.networkError, undefined);
    assertFieldErrors(result.error?.graphQLErrors);
  });

  it('an expired access token: the client sees UNAUTHENTICATED, refreshes with the cookie and retries', async () => {
    const { user, client, jar, state, withRefresh } = await signedIn();
    const cookieBefore = jar.cookie();
    const expired = await expiredAccessToken(app.t, user.id);
    state.accessToken = expired;

    const viewer = () =>
      client.query<ViewerOrders>(VIEWER_ORDERS, { first: 1 }, { requestPolicy: 'network-only' }).toPromise();
    const refused = await viewer();
    assert.equal(refused.error?.networkError, undefined, String(refused.error));
    assert.equal(firstCode(refused.error?.graphQLErrors), 'UNAUTHENTICATED');
    assert.equal(refused.error?.response?.status, 401);
    assert.match(jar.last()?.contentType ?? '', /application\/graphql-response\+json/);

    const result = await withRefresh(viewer);
    assert.equal(result.error, undefined, String(result.error));
    assert.equal(result.data?.viewer?.id, user.id);
    assert.equal(state.refreshes, 1);
    assert.ok(state.accessToken && state.accessToken !== expired, 'the new access token is kept');
    assert.notEqual(jar.cookie(), cookieBefore, 'the refresh cookie is rotated');
    assert.deepEqual(
      jar.seen.slice(-3).map((r) => [r.method, r.status]),
      [
        ['GET', 401],
        ['POST', 200],
        ['GET', 200],
      ],
    );
  });

  it('reads extensions.cost from a response', async () => {
    const { client } = urqlSession(app.endpoint);
    const result = await client.query(PRODUCTS_PAGE, { first: 3 }).toPromise();
    assert.equal(result.error, undefined, String(result.error));
    assertCost(result.extensions?.cost);
    assert.ok(result.extensions.cost.requested >= 3, JSON.stringify(result.extensions.cost));
  });
});
