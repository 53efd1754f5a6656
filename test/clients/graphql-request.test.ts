import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientError, GraphQLClient } from 'graphql-request';
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

// graphql-request 7 (GraphQLClient) against the real server with Redis: request() for
// data, rawRequest() for extensions, ClientError for every answer with errors (any HTTP status).

const skip = requireService('REDIS_URL');

/** The ClientError a promise rejects with (failing the test when it resolves or throws something else). */
async function clientError(promise: Promise<unknown>): Promise<ClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ClientError, `expected a ClientError, got ${String(error)}`);
  return error;
}

/** One app's GraphQLClient: its cookie jar and its access token (memory only). */
function requestSession(endpoint: string) {
  const jar = cookieJarFetch();
  const state: { accessToken: string | undefined; refreshes: number } = {
    accessToken: undefined,
    refreshes: 0,
  };
  const client = new GraphQLClient(endpoint, {
    fetch: jar.fetch,
    // A function: read on every request, so a refreshed token is sent from then on.
    headers: (): Record<string, string> =>
      state.accessToken ? { authorization: `Bearer ${state.accessToken}` } : {},
  });

  /** The refresh recipe: on UNAUTHENTICATED, refreshSession (the jar sends the cookie), then once more. */
  async function withRefresh<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const unauthenticated =
        error instanceof ClientError &&
        (error.response.errors ?? []).some((e) => e.extensions?.code === 'UNAUTHENTICATED');
      if (!unauthenticated) throw error;
      const { refreshSession } = await client.request<{ refreshSession: LoginPayload }>(REFRESH_SESSION);
      state.accessToken = refreshSession.accessToken;
      state.refreshes += 1;
      return run();
    }
  }
  return { client, jar, state, withRefresh };
}

describe('graphql-request 7 against the real server (Redis)', { skip }, () => {
  let app: ClientApp;
  before(async () => {
    app = await startClientApp({ redis: true });
  });
  after(async () => {
    await app?.t.stop();
  });

  async function signedIn() {
    const user = await insertUser(app.t);
    const session = requestSession(app.endpoint);
    const { login } = await session.client.request<{ login: LoginPayload }>(LOGIN, {
      input: { email: user.email, password: user.password },
    });
    session.state.accessToken = login.accessToken;
    return { user, ...session };
  }

  it('pages through products with first/after (Relay connection)', async () => {
    const { client } = requestSession(app.endpoint);
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { products }: ProductsPage = await client.request<ProductsPage>(PRODUCTS_PAGE, {
        first: 5,
        after,
      });
      pages += 1;
      assert.equal(products.totalCount, PRODUCT_COUNT);
      ids.push(...products.edges.map((e) => e.node.id));
      if (!products.pageInfo.hasNextPage) break;
      after = products.pageInfo.endCursor;
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
    const data = await client.request<ViewerOrders>(VIEWER_ORDERS, { first: 5 });
    assert.equal(data.viewer?.id, user.id);
    assert.equal(data.viewer?.email, user.email);
    assert.equal(data.myOrders.totalCount, 0);
  });

  it('a mutation: createOrder, then myOrders lists it', async () => {
    const { client } = await signedIn();
    const { createOrder } = await client.request<{ createOrder: { id: string; status: string } }>(
      CREATE_ORDER,
      { input: { items: [{ productId: app.productIds[1], quantity: 3 }], shippingAddress: ORDER_ADDRESS } },
    );
    assert.equal(createOrder.status, 'PENDING');
    const { myOrders } = await client.request<ViewerOrders>(VIEWER_ORDERS, { first: 5 });
    assert.deepEqual(
      myOrders.edges.map((e) => e.node.id),
      [createOrder.id],
    );
  });

  it('a field rate limit: the 11th addReview in a minute is RATE_LIMITED with retryAfter', async () => {
    const { client } = await signedIn();
    const review = (i: number) => ({
      input: { productId: app.productIds[i], rating: 5, body: `Review ${i}` },
    });
    for (let i = 0; i < ADD_REVIEW_LIMIT; i++) await client.request(ADD_REVIEW, review(i));
    const error = await clientError(client.request(ADD_REVIEW, review(ADD_REVIEW_LIMIT)));
    assert.equal(error.response.status, 200);
    assertRateLimited(error.response.errors);
  });

  it('BAD_USER_INPUT carries extensions.fieldErrors', async () => {
    const { client } = await signedIn();
    const error = await clientError(
      client.request(CREATE_ORDER, { input: badOrderInput(app.productIds[0] ?? '') }),
    );
    assertFieldErrors(error.response.errors);
  });

  it('an expired access token: the client sees UNAUTHENTICATED, refreshes with the cookie and retries', async () => {
    const { user, client, jar, state, withRefresh } = await signedIn();
    const cookieBefore = jar.cookie();
    const expired = await expiredAccessToken(app.t, user.id);
    state.accessToken = expired;

    const viewer = () => client.request<ViewerOrders>(VIEWER_ORDERS, { first: 1 });
    const error = await clientError(viewer());
    assert.equal(error.response.status, 401);
    assert.match(error.response.headers.get('content-type') ?? '', /application\/graphql-response\+json/);
    assert.equal(firstCode(error.response.errors), 'UNAUTHENTICATED', error.response.body);

    const data = await withRefresh(viewer);
    assert.equal(data.viewer?.id, user.id);
    assert.equal(state.refreshes, 1);
    assert.ok(state.accessToken && state.accessToken !== expired, 'the new access token is kept');
    assert.notEqual(jar.cookie(), cookieBefore, 'the refresh cookie is rotated');
    assert.deepEqual(
      jar.seen.slice(-3).map((r) => r.status),
      [401, 200, 200],
    );
  });

  it('reads extensions.cost from a response (rawRequest)', async () => {
    const { client } = requestSession(app.endpoint);
    const { data, extensions, status } = await client.rawRequest<ProductsPage>(PRODUCTS_PAGE, { first: 3 });
    assert.equal(status, 200);
    assert.equal(data.products.edges.length, 3);
    const cost = (extensions as { cost?: unknown } | undefined)?.cost;
    assertCost(cost);
    assert.ok(cost.requested >= 3, JSON.stringify(cost));
  });
});
