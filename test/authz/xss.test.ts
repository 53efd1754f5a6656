import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../../src/db/migrate.js';
import { toSafeText } from '../../src/text/safe-text.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { ORDER_ADDRESS } from '../helpers/fixtures.js';
import { assertOk, assertRefused, type GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import {
  insertUser,
  plantVerificationToken,
  REGISTER,
  VERIFY_EMAIL,
  type TestUser,
} from '../helpers/users.js';
import { insertReview, makeProduct } from './authz-helpers.js';

// Stored XSS: every user-entered string that is stored and served back (user names, review
// bodies, API-key names, address lines, product texts) is made safe once, on write
// (validation.ts `safeText`): every tag removed, the rest entity-escaped. Reads serve the stored
// form as is; no tag, attribute or raw angle bracket ever comes back, whichever path reads it.

const PAYLOADS = [
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">click</a>',
  '<svg/onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#60;script&#62;alert(1)&#60;/script&#62;',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<<script>script>alert(1)<</script>/script>',
  '<img src=x onerror=alert(1)//',
  '<div style="background:url(javascript:alert(1))">styled</div>',
  '"><script>alert(1)</script>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<!--<img src=x onerror=alert(1)>-->',
];

/** Legitimate text and its documented safe form: `<` `>` `&` entity-escaped, quotes kept. */
const LEGITIMATE: readonly (readonly [string, string])[] = [
  ['I <3 it', 'I &lt;3 it'],
  ['Fish & chips', 'Fish &amp; chips'],
  [`"Quoted" and 'single'`, `"Quoted" and 'single'`],
  ['x > y, y < z', 'x &gt; y, y &lt; z'],
  ['Zoë Ünal-Smith ✓', 'Zoë Ünal-Smith ✓'],
];

/** No markup: no angle bracket at all (entities are text), so no tag or attribute can exist. */
function assertNoMarkup(value: string, payload: string): void {
  assert.doesNotMatch(value, /[<>]/, `markup survived for ${payload}: ${value}`);
  assert.doesNotMatch(value, /<\s*\/?\s*[a-z]/i);
}

const ADD_REVIEW = 'mutation($input: AddReviewInput!) { addReview(input: $input) { id body } }';
const UPDATE_PROFILE = 'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { name } }';
const CREATE_KEY =
  'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id name } } }';
const CREATE_ORDER = `mutation($input: CreateOrderInput!) {
  createOrder(input: $input) { id shippingAddress { line1 city } }
}`;
const CREATE_PRODUCT =
  'mutation($input: CreateProductInput!) { createProduct(input: $input) { id name description } }';
const REVIEWS = `query($id: ID!) {
  product(id: $id) { reviews(first: 100) { edges { node { id body author { id name } } } } }
}`;

const fieldErrors = (res: GqlResponse) =>
  (res.body.errors?.[0]?.extensions?.fieldErrors ?? {}) as Record<string, string>;

type ReviewNode = { id: string; body: string; author: { id: string; name: string } };

describe('stored XSS: every user-entered field is stored and served in the safe form', () => {
  let t: TestApp;
  let admin: TestUser;
  let productId: string;

  before(async () => {
    // Registration is limited per address: every register comes from its own (trusted) address.
    t = await startApp({
      env: {
        ...TRUSTING_PROXY,
        HTTP_RATE_LIMIT: '1000000',
        COST_BUDGET_PER_HOUR: '100000000',
        LOG_LEVEL: 'info',
      },
    });
    admin = await insertUser(t, { role: 'ADMIN' });
    productId = await makeProduct(t);
  });
  after(async () => {
    await t?.stop();
  });

  /** Anonymous read of the product's reviews: bodies and author names as any visitor sees them. */
  async function anonymousReviews(id = productId): Promise<ReviewNode[]> {
    const res = await t.gql(REVIEWS, { id });
    assertOk(res);
    const product = res.body.data?.product as { reviews: { edges: { node: ReviewNode }[] } };
    return product.reviews.edges.map((e) => e.node);
  }

  /** Every field written through the real API with `value` in it, read back; returns what came back. */
  async function writeEverywhere(value: string) {
    const sent = {
      registeredName: `Ann ${value}`,
      profileName: `Bob ${value}`,
      body: `Nice ${value}`,
      keyName: `key ${value}`,
      line1: `1 Test ${value} Street`,
      city: `Lon ${value}`,
      productName: `Widget ${value}`,
      description: `Sturdy ${value}\nsecond line`,
    };
    const got: Record<string, string> = {};

    const annEmail = `xss-${randomBytes(6).toString('hex')}@example.com`;
    const reg = await t.gql(
      REGISTER,
      { input: { email: annEmail, password: 'a-long-password-1', name: sent.registeredName } },
      fromIp(randomIp()),
    );
    assertOk(reg);
    const verified = await t.gql(
      VERIFY_EMAIL,
      { token: await plantVerificationToken(t, annEmail) },
      fromIp(randomIp()),
    );
    assertOk(verified);
    const registered = verified.body.data?.verifyEmail as { accessToken: string; user: { id: string } };
    const annHeaders = { authorization: `Bearer ${registered.accessToken}`, ...fromIp(randomIp()) };

    const bob = await insertUser(t);
    const profile = await t.gql(UPDATE_PROFILE, { input: { name: sent.profileName } }, bob.headers);
    assertOk(profile);
    got.profileNameReturned = (profile.body.data?.updateProfile as { name: string }).name;

    const product = await t.gql(
      CREATE_PRODUCT,
      { input: { name: sent.productName, description: sent.description, priceCents: 100 } },
      admin.headers,
    );
    assertOk(product);
    const created = product.body.data?.createProduct as { id: string; name: string; description: string };
    got.productName = created.name;
    got.description = created.description;

    for (const [headers, body] of [
      [annHeaders, sent.body],
      [bob.headers, sent.body],
    ] as const) {
      const review = await t.gql(ADD_REVIEW, { input: { productId: created.id, rating: 3, body } }, headers);
      assertOk(review);
      got.bodyReturned = (review.body.data?.addReview as { body: string }).body;
    }
    const nodes = await anonymousReviews(created.id);
    assert.equal(nodes.length, 2);
    got.registeredName = nodes.find((n) => n.author.id === registered.user.id)?.author.name ?? '';
    got.profileName = nodes.find((n) => n.author.id === bob.id)?.author.name ?? '';
    got.body = nodes[0]?.body ?? '';

    const key = await t.gql(
      CREATE_KEY,
      { input: { name: sent.keyName, scopes: ['PRODUCTS_READ'] } },
      bob.headers,
    );
    assertOk(key);
    got.keyNameReturned = (key.body.data?.createApiKey as { apiKey: { name: string } }).apiKey.name;
    const keys = await t.gql('{ apiKeys { name } }', {}, bob.headers);
    assertOk(keys);
    got.keyName = (keys.body.data?.apiKeys as { name: string }[])[0]?.name ?? '';

    const order = await t.gql(
      CREATE_ORDER,
      {
        input: {
          items: [{ productId, quantity: 1 }],
          shippingAddress: { ...ORDER_ADDRESS, line1: sent.line1, city: sent.city },
        },
      },
      bob.headers,
    );
    assertOk(order);
    const placed = order.body.data?.createOrder as { id: string };
    const read = await t.gql(
      'query($id: ID!) { order(id: $id) { shippingAddress { line1 city } } }',
      { id: placed.id },
      bob.headers,
    );
    assertOk(read);
    const address = (read.body.data?.order as { shippingAddress: { line1: string; city: string } })
      .shippingAddress;
    got.line1 = address.line1;
    got.city = address.city;

    // What is stored is exactly what is served: the safe form, computed on write.
    const [stored] = await t.app.db.query<{ body: string; name: string }>(
      'SELECT r.body, u.name FROM reviews r JOIN users u ON u.id = r.author_id WHERE r.author_id = $1',
      [bob.id],
    );
    assert.equal(stored?.body, got.body, 'the review body is stored in the form it is served');
    assert.equal(stored?.name, got.profileName, 'the name is stored in the form it is served');
    return { sent, got };
  }

  for (const payload of PAYLOADS) {
    it(`${JSON.stringify(payload)}: no field ever comes back as markup`, async () => {
      const { sent, got } = await writeEverywhere(payload);
      for (const [field, value] of Object.entries(got)) assertNoMarkup(value, `${field}: ${payload}`);
      assert.equal(got.registeredName, toSafeText(sent.registeredName));
      assert.equal(got.profileName, toSafeText(sent.profileName));
      assert.equal(got.body, toSafeText(sent.body));
      assert.equal(got.keyName, toSafeText(sent.keyName));
      assert.equal(got.line1, toSafeText(sent.line1));
      assert.equal(got.city, toSafeText(sent.city));
      assert.equal(got.productName, toSafeText(sent.productName));
    });
  }

  for (const [text, safe] of LEGITIMATE) {
    it(`legitimate text ${JSON.stringify(text)} comes back in every field as ${JSON.stringify(safe)}`, async () => {
      const { got } = await writeEverywhere(text);
      assert.deepEqual(got, {
        profileNameReturned: `Bob ${safe}`,
        productName: `Widget ${safe}`,
        description: `Sturdy ${safe}\nsecond line`,
        bodyReturned: `Nice ${safe}`,
        registeredName: `Ann ${safe}`,
        profileName: `Bob ${safe}`,
        body: `Nice ${safe}`,
        keyNameReturned: `key ${safe}`,
        keyName: `key ${safe}`,
        line1: `1 Test ${safe} Street`,
        city: `Lon ${safe}`,
      });
    });
  }

  it('plain text comes back unchanged (the legitimate review)', async () => {
    const author = await insertUser(t);
    const body = 'Great kettle, boils in 2 minutes.\nWould buy again.';
    const res = await t.gql(ADD_REVIEW, { input: { productId, rating: 5, body } }, author.headers);
    assertOk(res);
    assert.equal((res.body.data?.addReview as { body: string }).body, body);
  });

  it('the length limits apply to the text as sent; its escaped form may be longer and is stored whole', async () => {
    const author = await insertUser(t);
    const longest = '<'.repeat(2000);
    const res = await t.gql(ADD_REVIEW, { input: { productId, rating: 2, body: longest } }, author.headers);
    assertOk(res);
    const review = res.body.data?.addReview as { id: string; body: string };
    assert.equal(review.body, '&lt;'.repeat(2000), 'a 2,000-char body of < is served as 8,000 chars');
    const [row] = await t.app.db.query<{ body: string }>('SELECT body FROM reviews WHERE id = $1', [
      review.id,
    ]);
    assert.equal(row?.body.length, 8000);
    const ampersands = await t.gql(
      ADD_REVIEW,
      { input: { productId, rating: 2, body: '&'.repeat(2000) } },
      author.headers,
    );
    assertOk(ampersands);
    assert.equal((ampersands.body.data?.addReview as { body: string }).body.length, 10_000);
    const tooLong = await t.gql(
      ADD_REVIEW,
      { input: { productId, rating: 2, body: 'a'.repeat(2001) } },
      author.headers,
    );
    assertRefused(tooLong, 'BAD_USER_INPUT', 200, 'addReview');
    assert.ok(fieldErrors(tooLong)['input.body']);
  });

  it('text that is nothing but markup, or hides a control character in an entity, is refused', async () => {
    const author = await insertUser(t);
    for (const body of ['<script>alert(1)</script>', '<b></b>', 'a&#x202E;b']) {
      const res = await t.gql(ADD_REVIEW, { input: { productId, rating: 1, body } }, author.headers);
      assertRefused(res, 'BAD_USER_INPUT', 200, 'addReview');
      assert.ok(fieldErrors(res)['input.body'], body);
    }
    for (const name of ['<img src=x onerror=alert(1)>', 'admin&#x202E;', 'a&#10;b']) {
      const res = await t.gql(UPDATE_PROFILE, { input: { name } }, author.headers);
      assertRefused(res, 'BAD_USER_INPUT', 200, 'updateProfile');
      assert.ok(fieldErrors(res)['input.name'], name);
    }
  });

  it('product search matches the safe form: "salt & vinegar" finds what was stored as "Salt &amp; Vinegar"', async () => {
    const created = await t.gql(
      CREATE_PRODUCT,
      { input: { name: 'Salt & Vinegar <b>Deluxe</b>', description: '', priceCents: 100 } },
      admin.headers,
    );
    assertOk(created);
    const res = await t.gql(
      'query($s: String) { products(first: 10, search: $s) { edges { node { name } } } }',
      {
        s: 'salt & vinegar',
      },
    );
    assertOk(res);
    const names = (res.body.data?.products as { edges: { node: { name: string } }[] }).edges.map(
      (e) => e.node.name,
    );
    assert.deepEqual(names, ['Salt &amp; Vinegar Deluxe']);
  });

  it('reads do no sanitising: a row is served as stored', async () => {
    // Written around the API (which cannot store markup): proves the read path trusts the stored
    // form rather than paying for sanitize-html on every review served.
    const author = await insertUser(t);
    const id = await insertReview(t, productId, author.id, 'stored &amp; served');
    const node = (await anonymousReviews()).find((n) => n.id === id);
    assert.equal(node?.body, 'stored &amp; served');
  });

  it('rows stored raw before the rule are served without markup once the migration has run', async () => {
    const product = await makeProduct(t);
    const author = await insertUser(t);
    for (const payload of PAYLOADS) await insertReview(t, product, author.id, `Old ${payload}`);
    await t.app.db.query('UPDATE users SET name = $1 WHERE id = $2', [
      '<img src=x onerror=alert(1)>Old',
      author.id,
    ]);
    await t.app.db.query("DELETE FROM schema_migrations WHERE name = '002_safe_text'");
    assert.deepEqual(await migrate(t.app.db), ['002_safe_text']);
    for (const headers of [{}, author.headers]) {
      const res = await t.gql(REVIEWS, { id: product }, headers);
      assertOk(res);
      const nodes = (
        res.body.data?.product as { reviews: { edges: { node: ReviewNode }[] } }
      ).reviews.edges.map((e) => e.node);
      assert.equal(nodes.length, PAYLOADS.length);
      for (const node of nodes) {
        assertNoMarkup(node.body, node.body);
        assert.equal(node.author.name, 'Old');
      }
      assert.ok(!res.text.includes('<script'), 'not even inside the JSON string');
      assert.ok(!res.text.includes('<img'), 'not even inside the JSON string');
    }
  });

  it('toSafeText: scripts lose their content, text is kept, entities stay escaped, and it is idempotent', () => {
    assert.equal(toSafeText('<script>alert(1)</script>hello'), 'hello');
    assert.equal(toSafeText('<b>bold</b> move'), 'bold move');
    assert.equal(toSafeText('<a href="javascript:alert(1)">x</a>'), 'x');
    assert.equal(toSafeText('&lt;script&gt;'), '&lt;script&gt;');
    assert.equal(toSafeText('fish & chips'), 'fish &amp; chips');
    for (const value of [
      ...PAYLOADS,
      ...LEGITIMATE.map(([text]) => text),
      '&amp;amp;',
      '&#38;lt;',
      '&nbsp;',
    ]) {
      const once = toSafeText(value);
      assert.equal(toSafeText(once), once, `idempotent for ${value}`);
    }
  });
});
