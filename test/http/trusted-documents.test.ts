import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildManifest, type Manifest } from '../../scripts/trusted-documents.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { createProducts } from '../helpers/fixtures.js';
import { securityEvents } from '../helpers/security-events.js';

// Trusted documents: a manifest built from the example client's operations by the project's own
// script, and the real app in each mode. `{ health }` stands for any document a client did not ship.

const OPERATIONS = 'examples/client/operations';
const sources = () =>
  readdirSync(OPERATIONS)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(OPERATIONS, f), 'utf8'));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const dir = mkdtempSync(join(tmpdir(), 'sgql-trusted-'));
const manifest = buildManifest(sources());
const manifestFile = join(dir, 'manifest.json');
writeFileSync(manifestFile, JSON.stringify(manifest));
const productsPage = manifest.operations.find((o) => o.name === 'ProductsPage')!;
after(() => rmSync(dir, { recursive: true, force: true }));

const post = (t: TestApp, body: unknown) =>
  fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
interface Answer {
  data?: { products?: { edges: unknown[] }; health?: string } | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
}
const answer = async (res: Response) => ({ status: res.status, body: (await res.json()) as Answer });

describe('the manifest script (npm run trusted-documents)', () => {
  it('one entry per operation of the example client, its id the SHA-256 of its text, the same on every run', () => {
    assert.deepEqual(manifest.operations.map((o) => o.name).sort(), [
      'CreateOrder',
      'Login',
      'MyOrders',
      'ProductsPage',
    ]);
    for (const op of manifest.operations) assert.equal(op.id, sha256(op.body), op.name);
    assert.equal(manifest.format, 'apollo-persisted-query-manifest');
    assert.deepEqual(buildManifest(sources()), manifest);
  });

  it('an operation carries every fragment it uses, transitively; unnamed and duplicate operations are refused', () => {
    const built = buildManifest([
      'query Q { viewer { ...A } } fragment A on User { id ...B } fragment B on User { email } fragment C on User { name }',
    ]);
    const body = built.operations[0]!.body;
    assert.match(body, /fragment A on User/);
    assert.match(body, /fragment B on User/);
    assert.doesNotMatch(body, /fragment C/);
    assert.throws(() => buildManifest(['{ health }']), /needs a name/);
    assert.throws(
      () => buildManifest(['query Q { health }', 'query Q { health }']),
      /two operations are named Q/,
    );
  });
});

describe('a bad manifest stops the start, naming what is wrong', () => {
  const bad = (name: string, content: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(content));
    return startApp({ env: { TRUSTED_DOCUMENTS: 'require', TRUSTED_DOCUMENTS_MANIFEST: file } });
  };
  it('an id that is not the SHA-256 of its body, a wrong format, a mode without a manifest', async () => {
    const tampered: Manifest = {
      ...manifest,
      operations: [{ ...productsPage, body: `${productsPage.body} ` }],
    };
    await assert.rejects(bad('tampered.json', tampered), /operations\.0\.id is not the SHA-256 of its body/);
    await assert.rejects(bad('format.json', { ...manifest, format: 'other' }), /format/);
    await assert.rejects(
      startApp({ env: { TRUSTED_DOCUMENTS: 'log' } }),
      /TRUSTED_DOCUMENTS_MANIFEST: is required when TRUSTED_DOCUMENTS=log/,
    );
  });
});

describe('TRUSTED_DOCUMENTS=require', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ env: { TRUSTED_DOCUMENTS: 'require', TRUSTED_DOCUMENTS_MANIFEST: manifestFile } });
    await createProducts(t, 3);
  });
  after(() => t.stop());

  it('legitimate: a documentId, a persistedQuery hash and the manifest text itself all run', async () => {
    for (const request of [
      { documentId: `sha256:${productsPage.id}`, variables: { first: 2 } },
      { documentId: productsPage.id, variables: { first: 2 } },
      {
        extensions: { persistedQuery: { version: 1, sha256Hash: productsPage.id } },
        variables: { first: 2 },
      },
      { query: productsPage.body, variables: { first: 2 } },
    ]) {
      const { status, body } = await answer(await post(t, request));
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.data?.products?.edges.length, 2, JSON.stringify(body));
    }
  });

  it('attack: a document not in the manifest is refused before parsing, with one security event', async () => {
    const before = securityEvents(t, 'validation_failure').length;
    const { status, body } = await answer(await post(t, { query: '{ health }' }));
    assert.equal(status, 400);
    assert.equal(body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(body.errors?.[0]?.extensions?.reason, 'TRUSTED_DOCUMENT_REQUIRED');
    const events = securityEvents(t, 'validation_failure').slice(before);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.protection, 'trustedDocuments');
    assert.equal(events[0]?.reason, 'TRUSTED_DOCUMENT_REQUIRED');
    // Not parsed: a syntax error is refused the same way, not as GRAPHQL_PARSE_FAILED.
    const broken = await answer(await post(t, { query: '{ health' }));
    assert.equal(broken.body.errors?.[0]?.extensions?.reason, 'TRUSTED_DOCUMENT_REQUIRED');
  });

  it('attack: an id the manifest does not hold is UNKNOWN_DOCUMENT; so is one in a GET', async () => {
    const { status, body } = await answer(await post(t, { documentId: `sha256:${'0'.repeat(64)}` }));
    assert.equal(status, 400);
    assert.equal(body.errors?.[0]?.extensions?.reason, 'UNKNOWN_DOCUMENT');
    const get = await fetch(`${t.url}/graphql?documentId=${productsPage.id}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    assert.equal(get.status, 400);
    assert.equal(((await get.json()) as Answer).errors?.[0]?.extensions?.reason, 'UNKNOWN_DOCUMENT');
  });

  it('attack: a GET with a document not in the manifest is refused too', async () => {
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ health }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    assert.equal(get.status, 400);
    assert.equal(((await get.json()) as Answer).errors?.[0]?.extensions?.reason, 'TRUSTED_DOCUMENT_REQUIRED');
  });
});

describe('TRUSTED_DOCUMENTS=log and off', () => {
  let logging: TestApp;
  let off: TestApp;
  before(async () => {
    logging = await startApp({ env: { TRUSTED_DOCUMENTS: 'log', TRUSTED_DOCUMENTS_MANIFEST: manifestFile } });
    off = await startApp({ env: { TRUSTED_DOCUMENTS: 'off', TRUSTED_DOCUMENTS_MANIFEST: manifestFile } });
  });
  after(async () => {
    await logging.stop();
    await off.stop();
  });

  it('log: a document not in the manifest runs and is logged once as untrusted_document; a known one is not', async () => {
    const { status, body } = await answer(await post(logging, { query: '{ health }' }));
    assert.equal(status, 200);
    assert.equal(body.data?.health, 'ok');
    const events = securityEvents(logging, 'untrusted_document');
    assert.equal(events.length, 1);
    assert.equal(events[0]?.protection, 'trustedDocuments');
    assert.equal(JSON.stringify(events[0]).includes('health'), false, 'the document itself is not logged');
    assert.equal((await post(logging, { query: productsPage.body, variables: { first: 1 } })).status, 200);
    assert.equal(securityEvents(logging, 'untrusted_document').length, 1);
  });

  it('off: any document runs unlogged, and a documentId from the manifest still resolves', async () => {
    assert.equal((await answer(await post(off, { query: '{ health }' }))).body.data?.health, 'ok');
    assert.equal(securityEvents(off, 'untrusted_document').length, 0);
    const { status } = await answer(
      await post(off, { documentId: `sha256:${productsPage.id}`, variables: { first: 1 } }),
    );
    assert.equal(status, 200);
  });
});
