import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { generateApiKeySecret } from '../../src/auth/api-key-secrets.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { createProducts } from '../helpers/fixtures.js';
import type { GqlResponse } from '../helpers/graphql.js';
import { securityEvents } from '../helpers/security-events.js';
import { insertUser, type TestUser } from '../helpers/users.js';

// The examples' profiles file on one server: anonymous visitors, the web app (signed-in customers)
// and a partner's API key of tier `gold` each run under their own profile. The web app and
// visitors run only the documents of the examples' manifest; the partner runs any document, with
// larger limits and the schema to explore; a customer's own key trials a tighter cost in measure mode.

const MANIFEST = 'examples/trusted-documents.json';
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { operations: { id: string; name: string }[] };
const idOf = (name: string) => {
  const op = manifest.operations.find((o) => o.name === name);
  if (!op) throw new Error(`${name} is not in ${MANIFEST}`);
  return `sha256:${op.id}`;
};

const profileOf = (res: GqlResponse) =>
  (res.body.extensions?.cost as { profile?: string } | undefined)?.profile;
const codeOf = (res: GqlResponse) => res.body.errors?.[0]?.extensions?.code;
const reasonOf = (res: GqlResponse) => res.body.errors?.[0]?.extensions?.reason;
const TEN_ALIASES = `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
const INTROSPECTION = '{ __schema { queryType { name } } }';

/** An API key inserted directly (a fixture): the partner's, its tier set as the CLI sets it. */
async function insertKey(t: TestApp, owner: TestUser, tier: string | null): Promise<Record<string, string>> {
  const key = generateApiKeySecret();
  await t.app.db.query(
    `INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes, tier)
     VALUES ($1, 'partner key', $2, $3, ARRAY['PRODUCTS_READ','ORDERS_READ'], $4)`,
    [owner.id, key.displayPrefix, key.hash, tier],
  );
  return { 'x-api-key': key.secret };
}

describe('examples/profiles.yaml: visitors, the web app and a partner on one server', () => {
  let t: TestApp;
  let customer: TestUser;
  let partner: Record<string, string>;
  let integration: Record<string, string>;
  before(async () => {
    t = await startApp({
      env: {
        PROFILES_FILE: 'examples/profiles.yaml',
        TRUSTED_DOCUMENTS_MANIFEST: MANIFEST,
        HTTP_RATE_LIMIT: '1000',
      },
    });
    await createProducts(t, 3);
    customer = await insertUser(t);
    partner = await insertKey(t, await insertUser(t), 'gold');
    integration = await insertKey(t, await insertUser(t), null);
  });
  after(() => t.stop());

  const byId = (
    name: string,
    headers: Record<string, string> = {},
    variables: Record<string, unknown> = {},
  ) => t.post({ documentId: idOf(name), variables }, headers);

  it('visitors: the manifest documents only, under `visitor`', async () => {
    const page = await byId('ProductsPage', {}, { first: 2 });
    assert.equal(page.status, 200, page.text);
    assert.equal(profileOf(page), 'visitor');
    const other = await t.gql('{ __typename }');
    assert.equal(other.status, 400);
    assert.equal(codeOf(other), 'BAD_USER_INPUT');
    assert.equal(reasonOf(other), 'TRUSTED_DOCUMENT_REQUIRED');
  });

  it('the web app (a signed-in customer): its documents only, under `web`', async () => {
    const orders = await byId('MyOrders', customer.headers, { first: 5 });
    assert.equal(orders.status, 200, orders.text);
    assert.equal(profileOf(orders), 'web');
    const other = await t.gql('{ viewer { id } }', {}, customer.headers);
    assert.equal(other.status, 400);
    assert.equal(reasonOf(other), 'TRUSTED_DOCUMENT_REQUIRED');
    const event = securityEvents(t, 'validation_failure').find(
      (e) => e.reason === 'TRUSTED_DOCUMENT_REQUIRED' && e.viewer === `user:${customer.id}`,
    );
    assert.equal(event?.profile, 'web');
  });

  it('a partner key of tier gold: any document, ten aliases and introspection, under `partner`', async () => {
    const aliases = await t.gql(TEN_ALIASES, {}, partner);
    assert.equal(aliases.status, 200, aliases.text);
    assert.equal(profileOf(aliases), 'partner');
    const schema = await t.gql(INTROSPECTION, {}, partner);
    assert.equal(schema.status, 200, schema.text);
  });

  it('twenty aliases: within the partner profile (30), over the server limit (15) for a key without a tier', async () => {
    const twenty = `{ products(first: 1) { edges { node { ${Array.from({ length: 20 }, (_, i) => `a${i}: id`).join(' ')} } } } }`;
    const partnerAnswer = await t.gql(twenty, {}, partner);
    assert.equal(partnerAnswer.status, 200, partnerAnswer.text);
    const other = await t.gql(twenty, {}, integration);
    assert.equal(other.status, 400, other.text);
    assert.equal(codeOf(other), 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(profileOf(other), 'integration');
  });

  it("a customer's own key (integration): a tighter cost trialled in measure mode, served and logged", async () => {
    const big = await t.gql(
      '{ products(first: 100) { edges { node { id reviews(first: 20) { edges { node { id } } } } } } }',
      {},
      integration,
    );
    assert.equal(big.status, 200, big.text);
    assert.equal(profileOf(big), 'integration');
    const measured = securityEvents(t, 'would_refuse').filter((e) => e.profile === 'integration');
    assert.equal(measured.length, 1, JSON.stringify(measured));
    assert.equal(measured[0]?.protection, 'cost');
    // log mode: its document is not in the manifest, so it is logged as untrusted too.
    assert.ok(securityEvents(t, 'untrusted_document').some((e) => e.profile === 'integration'));
  });
});
