import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ExecutionResult } from 'graphql';
import { createClient, NetworkError, type Client, type RequestParams } from 'graphql-http';
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
  type WireError,
} from './client-helpers.js';

// graphql-http's own client (createClient, over HTTP POST) against the real server (PostgreSQL when DATABASE_URL is set, else PGlite).
// It hands a 200 answer to the sink, errors and all, and rejects any other status with a
// NetworkError whose `response` is the unread fetch Response: the refusal's body is read from it.

/** The usual promise around the client's sink: the one result, or the NetworkError / other error. */
function execute<Data, Extensions = Record<string, unknown>>(
  client: Client,
  request: RequestParams,
): Promise<ExecutionResult<Data, Extensions>> {
  return new Promise((resolve, reject) => {
    let result: ExecutionResult<Data, Extensions> | undefined;
    client.subscribe<Data, Extensions>(request, {
      next: (value) => {
        result = value;
      },
      error: reject,
      complete: () => (result ? resolve(result) : reject(new Error('no result'))),
    });
  });
}

/** A refusal made before GraphQL runs (non-2xx): its status, content type and the GraphQL errors of its body. */
async function refusalOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof NetworkError, `expected a NetworkError, got ${String(error)}`);
  const response = (error as NetworkError<Response>).response;
  assert.ok(response, 'the NetworkError carries the response');
  const body = (await response.json()) as { errors?: WireError[] };
  return { status: response.status, contentType: response.headers.get('content-type'), errors: body.errors };
}

const hasUnauthenticated = (errors: readonly WireError[] | undefined) =>
  (errors ?? []).some((e) => e.extensions?.code === 'UNAUTHENTICATED');

/** One app's client: its cookie jar and its access token (memory only). */
function httpSession(endpoint: string) {
  const jar = cookieJarFetch();
  const state: { accessToken: string | undefined; refreshes: number } = {
    accessToken: undefined,
    refreshes: 0,
  };
  const client = createClient({
    url: endpoint,
    fetchFn: jar.fetch,
    // A function: read on every request, so a refreshed token is sent from then on.
    headers: (): Record<string, string> =>
      state.accessToken ? { authorization: `Bearer ${state.accessToken}` } : {},
  });

  /**
   * The refresh recipe: UNAUTHENTICATED comes either as a 200 with errors (a field needing sign-in)
   * or as a NetworkError (401: the token itself is bad); either way, refreshSession, then once more.
   */
  async function withRefresh<Data>(request: RequestParams): Promise<ExecutionResult<Data>> {
    let unauthenticated: boolean;
    try {
      const result = await execute<Data>(client, request);
      unauthenticated = hasUnauthenticated(result.errors);
      if (!unauthenticated) return result;
    } catch (error) {
      if (!(error instanceof NetworkError) || !error.response) throw error;
      const response = error.response as Response;
      const body = (await response.json().catch(() => ({}))) as { errors?: WireError[] };
      if (!hasUnauthenticated(body.errors)) throw error;
    }
    const refreshed = await execute<{ refreshSession: LoginPayload }>(client, { query: REFRESH_SESSION });
    if (!refreshed.data) throw new Error(`refreshSession failed: ${JSON.stringify(refreshed.errors)}`);
    state.accessToken = refreshed.data.refreshSession.accessToken;
    state.refreshes += 1;
    return execute<Data>(client, request);
  }
  return { client, jar, state, withRefresh };
}

describe("graphql-http's client against the real server", () => {
  let app: ClientApp;
  before(async () => {
    app = await startClientApp();
  });
  after(async () => {
    await app?.t.stop();
  });

  async function signedIn() {
    const user = await insertUser(app.t);
    const session = httpSession(app.endpoint);
    const result = await execute<{ login: LoginPayload }>(session.client, {
      query: LOGIN,
      variables: { input: { email: user.email, password: user.password } },
    });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.ok(result.data?.login.accessToken);
    session.state.accessToken = result.data.login.accessToken;
    return { user, ...session };
  }

  it('pages through products with first/after (Relay connection)', async () => {
    const { client } = httpSession(app.endpoint);
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: ExecutionResult<ProductsPage> = await execute<ProductsPage>(client, {
        query: PRODUCTS_PAGE,
        variables: { first: 5, after },
      });
      const page = result.data?.products;
      assert.ok(page, JSON.stringify(result.errors));
      pages += 1;
      assert.equal(page.totalCount, PRODUCT_COUNT);
      ids.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      assert.ok(after, 'a page with a next page has an endCursor');
    }
    assert.equal(pages, 3);
    assert.deepEqual(ids, app.productIds);
  });

  it('signs in with login: the token stays in memory, the refresh cookie in the jar', async () => {
    const { jar, state } = await signedIn();
    assert.match(state.accessToken ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(jar.cookie() ?? '', /^[A-Za-z0-9_-]{43}$/);
  });

  it('an authenticated query: viewer and myOrders', async () => {
    const { user, client } = await signedIn();
    const result = await execute<ViewerOrders>(client, { query: VIEWER_ORDERS, variables: { first: 5 } });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(result.data?.viewer?.id, user.id);
    assert.equal(result.data?.myOrders.totalCount, 0);
  });

  it('a mutation: createOrder, then myOrders lists it', async () => {
    const { client } = await signedIn();
    const created = await execute<{ createOrder: { id: string; status: string } }>(client, {
      query: CREATE_ORDER,
      variables: {
        input: { items: [{ productId: app.productIds[2], quantity: 1 }], shippingAddress: ORDER_ADDRESS },
      },
    });
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    assert.equal(created.data?.createOrder.status, 'PENDING');
    const orders = await execute<ViewerOrders>(client, { query: VIEWER_ORDERS, variables: { first: 5 } });
    assert.deepEqual(
      orders.data?.myOrders.edges.map((e) => e.node.id),
      [created.data?.createOrder.id],
    );
  });

  it('a field rate limit: the 11th addReview in a minute is RATE_LIMITED with retryAfter', async () => {
    const { client } = await signedIn();
    const review = (i: number) => ({
      query: ADD_REVIEW,
      variables: { input: { productId: app.productIds[i], rating: 2, body: `Review ${i}` } },
    });
    for (let i = 0; i < ADD_REVIEW_LIMIT; i++) {
      const ok = await execute(client, review(i));
      assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    }
    // A field's limit is a 200 with errors: the client resolves, it does not throw.
    const limited = await execute(client, review(ADD_REVIEW_LIMIT));
    assertRateLimited(limited.errors);
  });

  it('BAD_USER_INPUT carries extensions.fieldErrors', async () => {
    const { client } = await signedIn();
    const result = await execute(client, {
      query: CREATE_ORDER,
      variables: { input: badOrderInput(app.productIds[0] ?? '') },
    });
    assertFieldErrors(result.errors);
  });

  it('an expired access token: the client sees UNAUTHENTICATED, refreshes with the cookie and retries', async () => {
    const { user, client, jar, state, withRefresh } = await signedIn();
    const cookieBefore = jar.cookie();
    const expired = await expiredAccessToken(app.t, user.id);
    state.accessToken = expired;

    const request = { query: VIEWER_ORDERS, variables: { first: 1 } };
    const refusal = await refusalOf(execute(client, request));
    assert.equal(refusal.status, 401);
    assert.match(refusal.contentType ?? '', /application\/graphql-response\+json/);
    assert.equal(firstCode(refusal.errors), 'UNAUTHENTICATED');

    const result = await withRefresh<ViewerOrders>(request);
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(result.data?.viewer?.id, user.id);
    assert.equal(state.refreshes, 1);
    assert.ok(state.accessToken && state.accessToken !== expired, 'the new access token is kept');
    assert.notEqual(jar.cookie(), cookieBefore, 'the refresh cookie is rotated');
    assert.deepEqual(
      jar.seen.slice(-3).map((r) => r.status),
      [401, 200, 200],
    );
  });

  it('reads extensions.cost from a response', async () => {
    const { client } = httpSession(app.endpoint);
    const result = await execute<ProductsPage, { cost?: unknown }>(client, {
      query: PRODUCTS_PAGE,
      variables: { first: 3 },
    });
    const cost = result.extensions?.cost;
    assertCost(cost);
    assert.ok(cost.requested >= 3, JSON.stringify(cost));
  });
});

describe("graphql-http's client on a whole-request 429 (HTTP_RATE_LIMIT=2)", () => {
  let app: ClientApp;
  before(async () => {
    app = await startClientApp({ env: { HTTP_RATE_LIMIT: '2' } });
  });
  after(async () => {
    await app?.t.stop();
  });

  it('the third request in the window: a NetworkError whose body is RATE_LIMITED with retryAfter', async () => {
    const { client } = httpSession(app.endpoint);
    const request = { query: PRODUCTS_PAGE, variables: { first: 1 } };
    // The window's two requests pass; the third, from the same network, is refused.
    for (let i = 0; i < 2; i++) {
      const result = await execute<ProductsPage>(client, request);
      assert.equal(result.data?.products.edges.length, 1, JSON.stringify(result.errors));
    }
    const refused = await refusalOf(execute(client, request));
    assert.equal(refused.status, 429);
    assert.match(refused.contentType ?? '', /application\/graphql-response\+json/);
    assertRateLimited(refused.errors);
  });
});
