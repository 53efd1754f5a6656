import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toSafeText } from '../../src/text/safe-text.js';
import type { TestApp } from '../helpers/app.js';
import { assertOk } from '../helpers/graphql.js';
import { insertUser, type TestUser } from '../helpers/users.js';
import { insertReview, makeProduct, startAuthzApp } from './authz-helpers.js';

// Stored XSS: review bodies are user content, stored exactly as given and served as text: no tag,
// attribute or raw angle bracket ever comes back, whichever path reads them.

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

/** No markup: no angle bracket at all (entities are text), so no tag or attribute can exist. */
function assertNoMarkup(body: string, payload: string): void {
  assert.doesNotMatch(body, /[<>]/, `markup survived for ${payload}: ${body}`);
  assert.doesNotMatch(body, /<\s*\/?\s*[a-z]/i);
}

describe('stored XSS in reviews', () => {
  let t: TestApp;
  let authors: TestUser[];
  let productId: string;
  let n = 0;
  const nextAuthor = () => authors[n++ % authors.length] as TestUser;

  before(async () => {
    t = await startAuthzApp();
    authors = await Promise.all([insertUser(t), insertUser(t), insertUser(t), insertUser(t)]);
    productId = await makeProduct(t);
  });
  after(async () => {
    await t?.stop();
  });

  for (const payload of PAYLOADS) {
    it(`addReview ${JSON.stringify(payload)}: stored as given, served without markup`, async () => {
      const res = await t.gql(
        'mutation($input: AddReviewInput!) { addReview(input: $input) { id body } }',
        { input: { productId, rating: 1, body: `Nice ${payload}` } },
        nextAuthor().headers,
      );
      assertOk(res);
      const review = res.body.data?.addReview as { id: string; body: string };
      assertNoMarkup(review.body, payload);
      const [row] = await t.app.db.query<{ body: string }>('SELECT body FROM reviews WHERE id = $1', [
        review.id,
      ]);
      assert.equal(row?.body, `Nice ${payload}`, 'stored exactly as given');
    });
  }

  it('every stored payload is served without markup through product.reviews, for every viewer', async () => {
    for (const payload of PAYLOADS) await insertReview(t, productId, authors[0]?.id ?? '', payload);
    for (const headers of [{}, authors[1]?.headers ?? {}]) {
      const res = await t.gql(
        'query($id: ID!) { product(id: $id) { reviews(first: 100) { edges { node { body } } } } }',
        { id: productId },
        headers,
      );
      assertOk(res);
      const bodies = (
        res.body.data?.product as { reviews: { edges: { node: { body: string } }[] } }
      ).reviews.edges.map((e) => e.node.body);
      assert.ok(bodies.length >= PAYLOADS.length * 2);
      for (const body of bodies) assertNoMarkup(body, body);
      assert.ok(!res.text.includes('<script'), 'not even inside the JSON string');
    }
  });

  it('plain text comes back unchanged (the legitimate review)', async () => {
    const body = 'Great kettle, boils in 2 minutes.\nWould buy again.';
    const res = await t.gql(
      'mutation($input: AddReviewInput!) { addReview(input: $input) { body } }',
      { input: { productId, rating: 5, body } },
      nextAuthor().headers,
    );
    assertOk(res);
    assert.equal((res.body.data?.addReview as { body: string }).body, body);
  });

  it('toSafeText: scripts lose their content, text is kept, entities stay escaped', () => {
    assert.equal(toSafeText('<script>alert(1)</script>hello'), 'hello');
    assert.equal(toSafeText('<b>bold</b> move'), 'bold move');
    assert.equal(toSafeText('<a href="javascript:alert(1)">x</a>'), 'x');
    assert.equal(toSafeText('&lt;script&gt;'), '&lt;script&gt;');
    assert.equal(toSafeText('fish & chips'), 'fish &amp; chips');
  });
});
