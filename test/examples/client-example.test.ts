import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { buildSchema, lexicographicSortSchema, parse, print } from 'graphql';
import * as generated from '../../examples/client/src/gql/graphql.js';
import {
  CreateOrderDocument,
  MyOrdersDocument,
  TypedDocumentString,
} from '../../examples/client/src/gql/graphql.js';
import { ApiRequestError, createClient, runExample } from '../../examples/client/src/main.js';
import { loadTypeDefs } from '../../src/schema.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { createProducts, ORDER_ADDRESS } from '../helpers/fixtures.js';
import { insertUser, type TestUser } from '../helpers/users.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/client');
const PUBLISHED_SCHEMA = join(ROOT, 'docs/schema.graphql');
// The examples' committed trusted-documents manifest: the server below requires it.
const MANIFEST = join(ROOT, 'examples/trusted-documents.json');

/** Runs a command to its end: exit code and everything it printed. */
function run(command: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('close', (code) => done({ code, output }));
  });
}

describe('docs/schema.graphql, the schema clients generate their types from', () => {
  it('is the schema the server loads from schema/, directives included', () => {
    // Sorted, so only the content counts, not the order either printer chose.
    const canonical = (sdl: string) => printSchemaWithDirectives(lexicographicSortSchema(buildSchema(sdl)));
    const published = readFileSync(PUBLISHED_SCHEMA, 'utf8');
    assert.equal(canonical(published), canonical(loadTypeDefs().join('\n')));
    // What a client reads the prices and the rules from.
    for (const usage of [
      '@listSize(slicingArguments: ["first"], sizedFields: ["edges"])',
      '@cost(weight: "5")',
    ])
      assert.ok(published.includes(usage), usage);
    assert.match(published, /^directive @cost\(weight: String!\) on /m);
  });
});

describe('the typed client example (examples/client) against the real server, TRUSTED_DOCUMENTS=require', () => {
  let t: TestApp;
  let user: TestUser;
  let endpoint: string;
  let productIds: string[];
  before(async () => {
    // Require mode: every call of the example must name a document of the committed manifest.
    t = await startApp({ env: { TRUSTED_DOCUMENTS: 'require', TRUSTED_DOCUMENTS_MANIFEST: MANIFEST } });
    endpoint = `${t.url}/graphql`;
    user = await insertUser(t);
    // Page order is newest first: the last inserted comes first.
    productIds = (await createProducts(t, 3, 'Example')).reverse();
  });
  after(async () => {
    await t?.stop();
  });

  it('signs in, lists products, orders one and lists the orders, with typed results', async () => {
    const lines: string[] = [];
    const result = await runExample({
      endpoint,
      email: user.email,
      password: user.password,
      order: true,
      log: (line) => lines.push(line),
    });

    assert.equal(result.viewer.email, user.email);
    assert.equal(result.products.totalCount, 3);
    assert.deepEqual(
      result.products.edges.map(({ node }) => node.id),
      productIds,
    );
    const first = result.products.edges[0]?.node;
    assert.ok(first && result.order, 'an order of the first product');
    assert.equal(result.order.status, 'PENDING');
    assert.equal(result.order.totalCents, first.priceCents);
    assert.deepEqual(result.order.items, [{ quantity: 1, product: { name: first.name } }]);
    assert.deepEqual(
      result.orders.edges.map(({ node }) => [node.id, node.items[0]?.product.id]),
      [[result.order.id, first.id]],
    );
    assert.equal(result.orders.pageInfo.hasNextPage, false);
    assert.ok(
      lines.some((line) => line.includes(first.name)),
      lines.join('\n'),
    );
  });

  it('runs as a program: `tsx examples/client/src/main.ts` prints the products and the orders', async () => {
    const { code, output } = await run(process.execPath, ['--import', 'tsx', join(EXAMPLE, 'src/main.ts')], {
      GRAPHQL_URL: endpoint,
      EXAMPLE_EMAIL: user.email,
      EXAMPLE_PASSWORD: user.password,
    });
    assert.equal(code, 0, output);
    assert.match(output, /^signed in as Test User </m);
    assert.match(output, /^3 products; the first 3:$/m);
    assert.match(output, /^ {2}Example 0002 {2}1\.03$/m);
    // Without --order nothing is bought: the one order is the previous test's.
    assert.match(output, /^your orders \(1\):$/m);
  });

  it('every generated document carries its manifest id; a document not in the manifest is refused with 400', async () => {
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as {
      operations: { id: string; name: string; body: string }[];
    };
    const documents = Object.entries(generated).flatMap(([name, value]) =>
      value instanceof TypedDocumentString ? [{ name, document: value }] : [],
    );
    assert.deepEqual(
      documents.map(({ name }) => name),
      ['CreateOrderDocument', 'LoginDocument', 'MyOrdersDocument', 'ProductsPageDocument'],
    );
    for (const { name, document } of documents) {
      const entry = manifest.operations.find((o) => o.id === document.__meta__?.documentId);
      assert.ok(entry, `${name}: its documentId is not in ${MANIFEST}`);
      // The text the server runs for that id is the very operation the types were generated from.
      assert.equal(`${entry.name}Document`, name);
      assert.equal(entry.body, print(parse(document.toString())));
    }

    // Anything else, such as a document written by hand (no id: sent as text), is refused.
    const execute = createClient(endpoint, () => user.headers.authorization?.slice('Bearer '.length));
    const other = new TypedDocumentString<{ health: string }, Record<string, never>>(
      'query Health { health }',
    );
    await assert.rejects(execute(other), (error: unknown) => {
      assert.ok(error instanceof ApiRequestError, String(error));
      assert.equal(error.status, 400);
      assert.equal(error.code, 'BAD_USER_INPUT');
      assert.equal(error.errors[0]?.extensions?.reason, 'TRUSTED_DOCUMENT_REQUIRED');
      return true;
    });
  });

  it("reads the API's coded errors: BAD_USER_INPUT with fieldErrors, and a 401 for a bad token", async () => {
    const execute = createClient(endpoint, () => user.headers.authorization?.slice('Bearer '.length));
    const badInput = await execute(CreateOrderDocument, {
      input: {
        items: [{ productId: productIds[0] ?? '', quantity: 0 }],
        shippingAddress: { ...ORDER_ADDRESS, country: 'GB' },
      },
    }).then(
      () => assert.fail('a quantity of 0 was accepted'),
      (error: unknown) => error,
    );
    assert.ok(badInput instanceof ApiRequestError, String(badInput));
    assert.equal(badInput.code, 'BAD_USER_INPUT');
    assert.deepEqual(
      Object.keys(badInput.errors[0]?.extensions?.fieldErrors ?? {}),
      ['input.items.0.quantity'],
      badInput.message,
    );

    const badToken = createClient(endpoint, () => 'not-a-token');
    await assert.rejects(badToken(MyOrdersDocument, { first: 1 }), (error: unknown) => {
      assert.ok(error instanceof ApiRequestError, String(error));
      assert.equal(error.status, 401);
      assert.equal(error.code, 'UNAUTHENTICATED');
      return true;
    });
  });
});

describe('the typed client example catches mistakes before they reach the server', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'client-example-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('tsc refuses an unselected field, a wrong variable type, missing variables and an unknown enum value', async () => {
    // .mts: an ES module wherever it is, as the example is.
    const probe = join(dir, 'probe.mts');
    const lines = [
      `import type { Execute } from '${join(EXAMPLE, 'src/main.js')}';`,
      `import { CreateOrderDocument, ProductsPageDocument } from '${join(EXAMPLE, 'src/gql/graphql.js')}';`,
      'declare const execute: Execute;',
      'const { products } = await execute(ProductsPageDocument, { first: 5 });',
      'export const name: string | undefined = products.edges[0]?.node.name;',
      'export const description = products.edges[0]?.node.description;',
      "await execute(ProductsPageDocument, { first: '5' });",
      'await execute(ProductsPageDocument);',
      'const shippingAddress = { line1: "1 Rue", city: "Paris", postcode: "75001", country: "FR" } as const;',
      'await execute(CreateOrderDocument, { input: { items: [], shippingAddress } });',
    ];
    writeFileSync(probe, lines.join('\n') + '\n');
    const { code, output } = await run(process.execPath, [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      ...['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--types', 'node'],
      ...['--module', 'nodenext', '--moduleResolution', 'nodenext', probe],
    ]);
    assert.notEqual(code, 0, output);
    // Exactly the four mistakes, each on its line (1-based): the correct uses above them compile.
    const errors = [...output.matchAll(/probe\.mts\((\d+),\d+\): error (TS\d+): ([^\n]*)/g)].map(
      ([, line, tsCode, message]) => ({ line: Number(line), tsCode, message }),
    );
    assert.deepEqual(
      errors.map(({ line, tsCode }) => [line, tsCode]),
      [
        [6, 'TS2339'],
        [7, 'TS2322'],
        [8, 'TS2554'],
        [10, 'TS2322'],
      ],
      output,
    );
    assert.match(errors[0]?.message ?? '', /Property 'description' does not exist/);
    assert.match(errors[1]?.message ?? '', /'string' is not assignable to type 'number'/);
    assert.match(errors[3]?.message ?? '', /"FR"/);
  });

  it('codegen refuses an operation that asks for a field the schema does not have', async () => {
    const operation = join(dir, 'bad.graphql');
    writeFileSync(operation, 'query Bad { products(first: 1) { edges { node { id sku } } } }\n');
    // The example's configuration with this operation, run as a developer would: the CLI.
    const config = join(dir, 'codegen.json');
    writeFileSync(
      config,
      JSON.stringify({
        schema: PUBLISHED_SCHEMA,
        documents: operation,
        generates: { [join(dir, 'gql/')]: { preset: 'client' } },
      }),
    );
    // NODE_ENV=test (the runner's) would hide codegen's task output, the message included.
    const { code, output } = await run(
      process.execPath,
      [join(ROOT, 'node_modules/.bin/graphql-codegen'), '--config', config],
      { NODE_ENV: 'development' },
    );
    assert.equal(code, 1, output);
    assert.match(output, /Cannot query field "sku" on type "Product"/);
    assert.equal(existsSync(join(dir, 'gql')), false, 'nothing generated');
  });
});
