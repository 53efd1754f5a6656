import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  ServerError,
  gql,
} from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { from, map, switchMap } from 'rxjs';
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

// Apollo Client 4 (HttpLink + InMemoryCache) as an app would set it up, against the real server
// on PostgreSQL and Redis: an auth link that adds the in-memory access token, the standard
// ErrorLink token-refresh recipe, and a link that reads extensions.cost.

const skip = requireService('DATABASE_URL') || requireService('REDIS_URL');

/** One app's Apollo Client: its cookie jar, its access token (memory only) and the last cost seen. */
function apolloSession(endpoint: string) {
  const jar = cookieJarFetch();
  const state: { accessToken: string | undefined; cost: unknown; refreshes: number } = {
    accessToken: undefined,
    cost: undefined,
    refreshes: 0,
  };

  const authLink = new ApolloLink((operation, forward) => {
    operation.setContext(({ headers }: { headers?: Record<string, string> }) => ({
      headers: {
        ...headers,
        ...(state.accessToken ? { authorization: `Bearer ${state.accessToken}` } : {}),
      },
    }));
    return forward(operation);
  });

  // Apollo Client keeps a response's extensions out of query results: a link reads them on the way back.
  const costLink = new ApolloLink((operation, forward) =>
    forward(operation).pipe(
      map((result) => {
        state.cost = result.extensions?.cost;
        return result;
      }),
    ),
  );

  // The token-refresh recipe: on UNAUTHENTICATED, call refreshSession (the jar sends the cookie;
  // the stale bearer header the auth link still adds is ignored), keep the new token, retry once.
  const errorLink = new ErrorLink(({ error, operation, forward }) => {
    if (operation.operationName === 'RefreshSession' || operation.getContext().retried) return;
    if (!CombinedGraphQLErrors.is(error)) return;
    if (!error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return;
    return from(
      operation.client.mutate<{ refreshSession: LoginPayload }>({ mutation: gql(REFRESH_SESSION) }),
    ).pipe(
      switchMap(({ data }) => {
        state.accessToken = data?.refreshSession.accessToken;
        state.refreshes += 1;
        operation.setContext({ retried: true });
        return forward(operation);
      }),
    );
  });

  const client = new ApolloClient({
    link: ApolloLink.from([errorLink, authLink, costLink, new HttpLink({ uri: endpoint, fetch: jar.fetch })]),
    cache: new InMemoryCache(),
  });
  return { client, jar, state };
}

describe('Apollo Client 4 against the real server (PostgreSQL + Redis)', { skip }, () => {
  let app: ClientApp;
  before(async () => {
    app = await startClientApp({ driver: 'pg', redis: true });
  });
  after(async () => {
    await app?.t.stop();
  });

  /** A verified user signed in through the client's own `login` mutation. */
  async function signedIn() {
    const user = await insertUser(app.t);
    const session = apolloSession(app.endpoint);
    const { data } = await session.client.mutate<{ login: LoginPayload }>({
      mutation: gql(LOGIN),
      variables: { input: { email: user.email, password: user.password } },
    });
    assert.ok(data?.login.accessToken);
    session.state.accessToken = data.login.accessToken;
    return { user, ...session };
  }

  it('pages through products with first/after (Relay connection)', async () => {
    const { client } = apolloSession(app.endpoint);
    const names: string[] = [];
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { data }: { data?: ProductsPage } = await client.query<ProductsPage>({
        query: gql(PRODUCTS_PAGE),
        variables: { first: 5, after },
      });
      assert.ok(data);
      pages += 1;
      assert.equal(data.products.totalCount, PRODUCT_COUNT);
      for (const edge of data.products.edges) {
        ids.push(edge.node.id);
        names.push(edge.node.name);
      }
      if (!data.products.pageInfo.hasNextPage) break;
      after = data.products.pageInfo.endCursor;
      assert.ok(after, 'a page with a next page has an endCursor');
    }
    assert.equal(pages, 3);
    assert.deepEqual(ids, app.productIds);
    assert.equal(new Set(names).size, PRODUCT_COUNT);
  });

  it('signs in with login: the token stays in memory, the refresh cookie in the jar', async () => {
    const { user, jar, state } = await signedIn();
    assert.match(state.accessToken ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(jar.cookie() ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(jar.last()?.status, 200);
    assert.ok(user.id);
  });

  it('an authenticated query: viewer and myOrders', async () => {
    const { user, client } = await signedIn();
    const { data } = await client.query<ViewerOrders>({ query: gql(VIEWER_ORDERS), variables: { first: 5 } });
    assert.equal(data?.viewer?.id, user.id);
    assert.equal(data?.viewer?.email, user.email);
    assert.equal(data?.myOrders.totalCount, 0);
  });

  it('a mutation: createOrder, then myOrders lists it', async () => {
    const { client } = await signedIn();
    const [productId = ''] = app.productIds;
    const { data } = await client.mutate<{ createOrder: { id: string; status: string; totalCents: number } }>(
      {
        mutation: gql(CREATE_ORDER),
        variables: { input: { items: [{ productId, quantity: 2 }], shippingAddress: ORDER_ADDRESS } },
      },
    );
    assert.equal(data?.createOrder.status, 'PENDING');
    assert.ok((data?.createOrder.totalCents ?? 0) > 0);
    const { data: orders } = await client.query<ViewerOrders>({
      query: gql(VIEWER_ORDERS),
      variables: { first: 5 },
      fetchPolicy: 'network-only',
    });
    assert.deepEqual(
      orders?.myOrders.edges.map((e) => e.node.id),
      [data?.createOrder.id],
    );
  });

  it('a field rate limit: the 11th addReview in a minute is RATE_LIMITED with retryAfter', async () => {
    const { client } = await signedIn();
    const review = (i: number) => ({
      input: { productId: app.productIds[i], rating: 4, body: `Review ${i}` },
    });
    for (let i = 0; i < ADD_REVIEW_LIMIT; i++)
      await client.mutate({ mutation: gql(ADD_REVIEW), variables: review(i) });
    // errorPolicy 'none' (the default): a GraphQL error rejects with CombinedGraphQLErrors.
    const error = await client
      .mutate({ mutation: gql(ADD_REVIEW), variables: review(ADD_REVIEW_LIMIT) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(CombinedGraphQLErrors.is(error), String(error));
    assertRateLimited(error.errors);
  });

  it('BAD_USER_INPUT carries extensions.fieldErrors', async () => {
    const { client } = await signedIn();
    // errorPolicy 'all' resolves with the errors beside (null) data instead of rejecting.
    const result = await client.mutate({
      mutation: gql(CREATE_ORDER),
      variables: { input: badOrderInput(app.productIds[0] ?? '') },
      errorPolicy: 'all',
    });
    assert.ok(CombinedGraphQLErrors.is(result.error), String(result.error));
    assertFieldErrors(result.error.errors);
  });

  it('an expired access token: the client sees UNAUTHENTICATED, refreshes with the cookie and retries', async () => {
    const { user, client, jar, state } = await signedIn();
    const cookieBefore = jar.cookie();
    const expired = await expiredAccessToken(app.t, user.id);
    state.accessToken = expired;

    // Without the refresh link: the error is a GraphQL error coded UNAUTHENTICATED, not a ServerError.
    const bare = new ApolloClient({
      link: new HttpLink({
        uri: app.endpoint,
        fetch: jar.fetch,
        headers: { authorization: `Bearer ${expired}` },
      }),
      cache: new InMemoryCache(),
    });
    const error = await bare.query({ query: gql(VIEWER_ORDERS), variables: { first: 1 } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal(ServerError.is(error), false, `an opaque ServerError: ${String(error)}`);
    assert.ok(CombinedGraphQLErrors.is(error), String(error));
    assert.equal(firstCode(error.errors), 'UNAUTHENTICATED');
    assert.equal(jar.last()?.status, 401);
    assert.match(jar.last()?.contentType ?? '', /application\/graphql-response\+json/);

    // With the recipe: one refresh, a new token and a rotated cookie, and the query succeeds.
    const { data } = await client.query<ViewerOrders>({
      query: gql(VIEWER_ORDERS),
      variables: { first: 1 },
      fetchPolicy: 'network-only',
    });
    assert.equal(data?.viewer?.id, user.id);
    assert.equal(state.refreshes, 1);
    assert.notEqual(jar.cookie(), cookieBefore, 'the refresh cookie is rotated');
    assert.ok(state.accessToken && state.accessToken !== expired, 'the new access token is kept');
    assert.deepEqual(
      jar.seen.slice(-3).map((r) => r.status),
      [401, 200, 200],
    );
  });

  it('after logout the jar is empty and the recipe gives up: UNAUTHENTICATED, no retry loop', async () => {
    const { user, client, jar, state } = await signedIn();
    const { data } = await client.mutate<{ logout: boolean }>({
      mutation: gql('mutation Logout { logout }'),
    });
    assert.equal(data?.logout, true);
    assert.equal(jar.cookie(), undefined, 'logout clears the refresh cookie');
    state.accessToken = await expiredAccessToken(app.t, user.id);
    const before = jar.seen.length;
    const error = await client
      .query({ query: gql(VIEWER_ORDERS), variables: { first: 1 }, fetchPolicy: 'network-only' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(CombinedGraphQLErrors.is(error), String(error));
    assert.equal(firstCode(error.errors), 'UNAUTHENTICATED');
    assert.equal(state.refreshes, 0);
    // The query (401) and one refreshSession (UNAUTHENTICATED): nothing more.
    assert.equal(jar.seen.length - before, 2);
  });

  it('reads extensions.cost from a response', async () => {
    const { client, state } = apolloSession(app.endpoint);
    await client.query({ query: gql(PRODUCTS_PAGE), variables: { first: 3 }, fetchPolicy: 'network-only' });
    assertCost(state.cost);
    assert.ok(state.cost.requested >= 3, JSON.stringify(state.cost));
  });
});

describe('Apollo Client 4 on a whole-request 429 (HTTP_RATE_LIMIT=2)', { skip }, () => {
  let app: ClientApp;
  before(async () => {
    app = await startClientApp({ driver: 'pg', env: { HTTP_RATE_LIMIT: '2' } });
  });
  after(async () => {
    await app?.t.stop();
  });

  it('the third request in the window: a GraphQL error coded RATE_LIMITED with retryAfter, not a ServerError', async () => {
    const { client, jar } = apolloSession(app.endpoint);
    const query = () =>
      client.query<ProductsPage>({
        query: gql(PRODUCTS_PAGE),
        variables: { first: 1 },
        fetchPolicy: 'network-only',
      });
    // The window's two requests pass; the third, from the same network, is refused.
    for (let i = 0; i < 2; i++) assert.equal((await query()).data?.products.edges.length, 1);
    const error = await query().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal(ServerError.is(error), false, `an opaque ServerError: ${String(error)}`);
    assert.ok(CombinedGraphQLErrors.is(error), String(error));
    assertRateLimited(error.errors);
    assert.equal(jar.last()?.status, 429);
    assert.match(jar.last()?.contentType ?? '', /application\/graphql-response\+json/);
  });
});
