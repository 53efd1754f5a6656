import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { createProducts, createReviews, ORDER_ADDRESS } from '../helpers/fixtures.js';
import { registerUser, type TestUser } from '../helpers/users.js';

const PRODUCTS_PAGE = `query($first: Int!, $after: String, $search: String) {
  products(first: $first, after: $after, search: $search) {
    totalCount
    edges { cursor node { id name priceCents } }
    pageInfo { hasNextPage endCursor }
  }
}`;

type Page = {
  totalCount: number;
  edges: { cursor: string; node: { id: string; name: string; priceCents: number } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};

/** The domain behaviour, run once per database driver (pglite and pg). */
export function domainSuite(driver: 'pglite' | 'pg'): void {
  describe(`shop domain on ${driver}`, () => {
    let t: TestApp;
    let alice: TestUser;
    let bob: TestUser;
    let admin: TestUser;
    let productIds: string[];

    before(async () => {
      t = await startApp({ driver });
      [alice, bob, admin] = await Promise.all([
        registerUser(t),
        registerUser(t),
        registerUser(t, { role: 'ADMIN' }),
      ]);
      productIds = await createProducts(t, 60);
      await createReviews(t, productIds, alice.id, 12);
    });
    after(async () => {
      await t?.stop();
    });

    it('pages products newest first with opaque cursors and a total count', async () => {
      const first = await t.gql(PRODUCTS_PAGE, { first: 25 });
      assert.equal(first.status, 200);
      const page1 = first.body.data?.products as Page;
      assert.equal(page1.totalCount, 60);
      assert.equal(page1.edges.length, 25);
      assert.equal(page1.pageInfo.hasNextPage, true);
      assert.equal(page1.edges[0]?.node.name, 'Product 0059');
      assert.doesNotMatch(page1.edges[0]?.cursor ?? '', /Product|[0-9a-f]{8}-[0-9a-f]{4}/);

      const seen = new Set(page1.edges.map((e) => e.node.id));
      let cursor = page1.pageInfo.endCursor;
      let more = true;
      while (more) {
        const next = (await t.gql(PRODUCTS_PAGE, { first: 25, after: cursor })).body.data?.products as Page;
        for (const e of next.edges) {
          assert.ok(!seen.has(e.node.id), 'no product twice across pages');
          seen.add(e.node.id);
        }
        cursor = next.pageInfo.endCursor;
        more = next.pageInfo.hasNextPage;
      }
      assert.equal(seen.size, 60);
    });

    for (const first of [0, -1, 101]) {
      it(`rejects first=${first} with BAD_USER_INPUT`, async () => {
        const res = await t.gql(PRODUCTS_PAGE, { first });
        assert.equal(res.status, 200);
        assert.equal(res.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
        assert.equal(
          (res.body.errors?.[0]?.extensions?.fieldErrors as Record<string, string>).first,
          'Must be between 1 and 100.',
        );
      });
    }

    it('accepts first=100, the largest page', async () => {
      const res = await t.gql(PRODUCTS_PAGE, { first: 100 });
      assert.equal((res.body.data?.products as Page).edges.length, 60);
    });

    for (const bad of ['not-a-cursor', Buffer.from('["x","y"]').toString('base64url'), 'A'.repeat(500)]) {
      it(`rejects a forged cursor (${bad.slice(0, 12)}…) with BAD_USER_INPUT`, async () => {
        const res = await t.gql(PRODUCTS_PAGE, { first: 5, after: bad });
        assert.equal(res.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
        assert.ok('after' in (res.body.errors?.[0]?.extensions?.fieldErrors as object));
      });
    }

    it('rejects a wrongly typed variable with 400 BAD_USER_INPUT', async () => {
      const res = await t.gql(PRODUCTS_PAGE, { first: 'ten' });
      assert.equal(res.status, 400);
      assert.equal(res.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    });

    it('searches names case-insensitively', async () => {
      const res = await t.gql(PRODUCTS_PAGE, { first: 100, search: 'pRoDuCt 005' });
      const page = res.body.data?.products as Page;
      assert.equal(page.totalCount, 10);
      assert.ok(page.edges.every((e) => e.node.name.startsWith('Product 005')));
    });

    it('treats SQL and LIKE syntax in search as plain text', async () => {
      for (const search of ["' OR 1=1 --", "'; DROP TABLE products; --", '%', '_', '\\', 'Product%00']) {
        const res = await t.gql(PRODUCTS_PAGE, { first: 10, search });
        assert.equal(res.status, 200, search);
        assert.equal(res.body.errors, undefined, search);
        assert.equal((res.body.data?.products as Page).totalCount, 0, search);
      }
      const stillThere = await t.gql(PRODUCTS_PAGE, { first: 1 });
      assert.equal((stillThere.body.data?.products as Page).totalCount, 60);
    });

    it('stores SQL-looking strings in every string input as plain text', async () => {
      const evil = "Robert'); DROP TABLE users; --";
      const created = await t.gql(
        'mutation($input: CreateProductInput!) { createProduct(input: $input) { id name description } }',
        { input: { name: `${evil} 50% off_`, description: evil, priceCents: 1234 } },
        admin.headers,
      );
      const product = created.body.data?.createProduct as { id: string; name: string; description: string };
      assert.equal(product.name, `${evil} 50% off_`);
      assert.equal(product.description, evil);
      const found = await t.gql(PRODUCTS_PAGE, { first: 10, search: '50% off_' });
      assert.deepEqual(
        (found.body.data?.products as Page).edges.map((e) => e.node.id),
        [product.id],
      );

      const review = await t.gql(
        'mutation($input: AddReviewInput!) { addReview(input: $input) { body rating } }',
        { input: { productId: product.id, rating: 5, body: "1' OR '1'='1" } },
        bob.headers,
      );
      assert.deepEqual(review.body.data?.addReview, {
        body: '1&#39; OR &#39;1&#39;=&#39;1'.replace(/&#39;/g, "'"),
        rating: 5,
      });

      const order = await t.gql(
        'mutation($input: CreateOrderInput!) { createOrder(input: $input) { shippingAddress { line1 city } } }',
        {
          input: {
            items: [{ productId: product.id, quantity: 1 }],
            shippingAddress: { ...ORDER_ADDRESS, line1: "1'; DELETE FROM orders; --", city: "O'Brien" },
          },
        },
        bob.headers,
      );
      assert.deepEqual(order.body.data?.createOrder, {
        shippingAddress: { line1: "1'; DELETE FROM orders; --", city: "O'Brien" },
      });
      const users = await t.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      assert.ok((users[0]?.n ?? 0) >= 3);
    });

    it('computes order totals on the server from current prices', async () => {
      const [p1, p2] = productIds;
      const prices = await t.app.db.query<{ id: string; price_cents: number }>(
        'SELECT id, price_cents FROM products WHERE id = ANY($1::uuid[])',
        [[p1, p2]],
      );
      const price = new Map(prices.map((p) => [p.id, p.price_cents]));
      const res = await t.gql(
        `mutation($input: CreateOrderInput!) { createOrder(input: $input) {
           id status totalCents promoCode items { quantity unitPriceCents product { id } } owner { id } } }`,
        {
          input: {
            items: [
              { productId: p1, quantity: 3 },
              { productId: p2, quantity: 2 },
            ],
            shippingAddress: ORDER_ADDRESS,
            promoCode: 'save-10',
          },
        },
        alice.headers,
      );
      const order = res.body.data?.createOrder as {
        id: string;
        status: string;
        totalCents: number;
        promoCode: string;
        items: { quantity: number; unitPriceCents: number; product: { id: string } }[];
        owner: { id: string };
      };
      assert.equal(order.status, 'PENDING');
      assert.equal(order.totalCents, 3 * (price.get(p1 ?? '') ?? 0) + 2 * (price.get(p2 ?? '') ?? 0));
      assert.equal(order.promoCode, 'SAVE-10');
      assert.equal(order.items[0]?.unitPriceCents, price.get(p1 ?? ''));
      assert.equal(order.owner.id, alice.id);

      const mine = await t.gql(
        '{ myOrders(first: 10) { totalCount edges { node { id } } } }',
        undefined,
        alice.headers,
      );
      const myOrders = mine.body.data?.myOrders as { totalCount: number; edges: { node: { id: string } }[] };
      assert.ok(myOrders.edges.some((e) => e.node.id === order.id));

      const read = await t.gql(
        'query($id: ID!) { order(id: $id) { id totalCents } }',
        { id: order.id },
        alice.headers,
      );
      assert.deepEqual(read.body.data?.order, { id: order.id, totalCents: order.totalCents });
    });

    it('rejects an order for a product that does not exist, writing nothing', async () => {
      const before = await t.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
      const res = await t.gql(
        'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
        {
          input: {
            items: [
              { productId: productIds[0], quantity: 1 },
              { productId: '00000000-0000-4000-8000-000000000000', quantity: 1 },
            ],
            shippingAddress: ORDER_ADDRESS,
          },
        },
        alice.headers,
      );
      assert.equal(res.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      assert.deepEqual(res.body.errors?.[0]?.extensions?.fieldErrors, {
        'input.items.1.productId': 'No such product.',
      });
      const afterCount = await t.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
      assert.equal(afterCount[0]?.n, before[0]?.n);
    });

    it('uses random UUIDs for every id', async () => {
      const res = await t.gql(PRODUCTS_PAGE, { first: 3 });
      for (const e of (res.body.data?.products as Page).edges) {
        assert.match(e.node.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
    });

    it('issues a constant number of SQL statements for nested lists, whatever first is', async () => {
      const nested = (n: number) =>
        `{ products(first: ${n}) { edges { node { name reviews(first: 10) { totalCount edges { node { body author { name } } } } } } } }`;
      const count = async (n: number) => {
        const before = t.app.db.stats.statements;
        const res = await t.gql(nested(n));
        assert.equal(res.body.errors, undefined);
        const edges = (res.body.data?.products as { edges: { node: { reviews: { edges: unknown[] } } }[] })
          .edges;
        assert.equal(edges.length, n);
        assert.equal(Math.max(...edges.map((e) => e.node.reviews.edges.length)), 10);
        return t.app.db.stats.statements - before;
      };
      const small = await count(5);
      const large = await count(50);
      assert.equal(large, small, `statements for first=50 (${large}) must equal first=5 (${small})`);
      // products page + reviews page + review counts + authors
      assert.ok(large <= 5, `expected at most 5 statements, got ${large}`);
    });
  });
}
