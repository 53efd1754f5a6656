import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema as buildSdlSchema, parse } from 'graphql';
import { buildSchema } from '../../src/schema.js';
import {
  computeCost,
  createCostEstimator,
  type CostResult,
} from '../../src/security/execution/cost-estimate.js';

// The cost model (src/security/execution/cost-estimate.ts, docs/cost.md), per field:
//   object field: weight (default 1) + the cost of its selection
//   scalar / enum field: weight (default 0)
//   @cost(weight:) on the field overrides its type's @cost, which overrides the default;
//   an argument or input field with @cost adds its weight when given;
//   a list: size × (element cost), size = the slicing argument given (≥ 1) else assumedSize;
//   sizedFields: the size multiplies those subfields (edges) instead of the field.
// In the real schema: products / myOrders / User.orders / Product.reviews carry
// @listSize(slicingArguments: ["first"], sizedFields: ["edges"]); every connection's totalCount
// weighs 1 (a count query); products(search:) weighs 5; Order.items, apiKeys have assumedSize 50,
// ApiKey.scopes 4.

const schema = buildSchema();
const estimator = createCostEstimator(schema);

const cost = (query: string, variables?: Record<string, unknown>, operationName?: string): CostResult =>
  computeCost(schema, estimator, parse(query), operationName, variables);

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  expected: number;
}

const PAGE = (first: string) => `products(first: ${first}) { edges { node { id name } } }`;

const cases: Case[] = [
  // ── scalars and plain objects ──
  { name: 'a scalar root field is free', query: '{ health }', expected: 0 },
  { name: '__typename is free', query: '{ __typename }', expected: 0 },
  // viewer (object, no @cost) 1 + (id 0 + name 0 + role 0: an enum) = 1.
  { name: 'an object without @cost costs 1', query: '{ viewer { id name role } }', expected: 1 },
  // __schema 1 + types (an introspection list, unannotated: size 1) 1 × (1 + name 0) = 2.
  { name: 'introspection lists count as size 1', query: '{ __schema { types { name } } }', expected: 2 },

  // ── connections: the slicing argument as a literal, as a variable ──
  // products 1 + edges 10 × (edge 1 + node 1 + id 0 + name 0) = 1 + 10 × 2 = 21.
  { name: 'slicing argument from a literal', query: `{ ${PAGE('10')} }`, expected: 21 },
  {
    // Same arithmetic with the coerced variable: 1 + 10 × 2 = 21.
    name: 'slicing argument from a variable',
    query: `query($n: Int!) { ${PAGE('$n')} }`,
    variables: { n: 10 },
    expected: 21,
  },
  {
    // 1 + 50 × 2 = 101.
    name: 'the variable value, not the document, sets the size',
    query: `query($n: Int!) { ${PAGE('$n')} }`,
    variables: { n: 50 },
    expected: 101,
  },
  {
    // No variables sent: the default 7 applies: 1 + 7 × 2 = 15.
    name: "a variable's default value",
    query: `query($n: Int = 7) { ${PAGE('$n')} }`,
    expected: 15,
  },
  {
    // The size is at least 1: 1 + 1 × 2 = 3.
    name: 'first: 0 is size 1',
    query: `{ ${PAGE('0')} }`,
    expected: 3,
  },
  {
    // Negative (refused later by the service): read as 1: 1 + 1 × 2 = 3.
    name: 'a negative first is size 1',
    query: `query($n: Int!) { ${PAGE('$n')} }`,
    variables: { n: -5 },
    expected: 3,
  },
  {
    // sizedFields: ["edges"]: only edges is multiplied. products 1 + totalCount 1 (@cost) +
    // pageInfo (1 + 0) + edges 3 × (edge 1 + cursor 0 + node (1 + 0)) = 1 + 1 + 1 + 6 = 9.
    name: 'sizedFields: the size multiplies edges, not pageInfo or totalCount',
    query: '{ products(first: 3) { totalCount pageInfo { hasNextPage } edges { cursor node { id } } } }',
    expected: 9,
  },
  {
    // myOrders 1 + totalCount 1 (@cost(weight: "1"): a count query) = 2; no edges, nothing sized.
    name: '@cost weight on a field: totalCount',
    query: '{ myOrders(first: 5) { totalCount } }',
    expected: 2,
  },
  {
    // search given: + 5 (@cost on the argument); products 1 + 3 × (1 + 1) = 7; 5 + 7 = 12.
    name: '@cost weight on an argument: search',
    query: '{ products(first: 3, search: "lamp") { edges { node { id } } } }',
    expected: 12,
  },
  {
    // search: null is not given: 1 + 3 × 2 = 7.
    name: 'a null argument adds nothing',
    query: '{ products(first: 3, search: null) { edges { node { id } } } }',
    expected: 7,
  },

  // ── nested lists multiply ──
  {
    // author { name } 1; review node 1 + 1 = 2; review edge 1 + 2 = 3;
    // reviews(first: 5) 1 + 5 × 3 = 16; product node 1 + 16 = 17; product edge 1 + 17 = 18;
    // products(first: 10) 1 + 10 × 18 = 181.
    name: 'reviews inside products: 10 × 5',
    query:
      '{ products(first: 10) { edges { node { reviews(first: 5) { edges { node { id author { name } } } } } } } }',
    expected: 181,
  },
  {
    // Same with both page sizes as variables: 181.
    name: 'nested connections with both sizes as variables',
    query: `query($p: Int!, $r: Int!) {
      products(first: $p) { edges { node { reviews(first: $r) { edges { node { id author { name } } } } } } }
    }`,
    variables: { p: 10, r: 5 },
    expected: 181,
  },
  {
    // reviews(first: 2) { totalCount } 1 + 1 = 2; product 1 + 2 = 3; one item 1 + quantity 0 +
    // 3 = 4; items (assumedSize 50) 50 × 4 = 200; order node 1 + 200 = 201; order edges
    // 4 × (1 + 201) = 808; orders 1 + 808 = 809; viewer 1 + 809 = 810. (Before: 22, items
    // counted once.)
    name: 'Order.items multiplies by its assumedSize 50',
    query: `{ viewer { orders(first: 4) { edges { node {
      items { quantity product { reviews(first: 2) { totalCount } } }
    } } } } }`,
    expected: 810,
  },
  {
    // The attack of issue 12. review node 1 + body 0 = 1; reviews 1 + 20 × (1 + 1) = 41;
    // product 1 + 41 = 42; items 50 × (1 + 42) = 2150; order node 1 + 2150 = 2151;
    // myOrders 1 + 10 × (edge 1 + 2151) = 21 521: over MAX_COST 5000. (Before: 451.) Its real
    // work: up to 10 orders × 50 items × 20 reviews = 10 000 reviews and 500 products.
    name: 'the nested-items attack is priced at its real work',
    query:
      '{ myOrders(first: 10) { edges { node { items { product { reviews(first: 20) { edges { node { body } } } } } } } } }',
    expected: 21_521,
  },
  {
    // apiKeys (assumedSize 50) 50 × (ApiKey 1 + id 0 + scopes 4 × 0) = 50.
    name: 'apiKeys: assumedSize 50, a list of enums costs nothing more',
    query: '{ apiKeys { id scopes } }',
    expected: 50,
  },

  // ── aliases, fragments, directives ──
  {
    // a: 1 + 1 × 2 = 3; b: 1 + 2 × 2 = 5; 3 + 5 = 8.
    name: 'aliased connections are charged each',
    query: `{ a: ${PAGE('1')} b: ${PAGE('2')} }`,
    expected: 8,
  },
  {
    // P: id 0 + reviews(first: 3) { edges { node { rating } } } = 1 + 3 × (1 + 1) = 7;
    // product node 1 + 7 = 8; edges 10 × (1 + 8) = 90; products 1 + 90 = 91;
    // viewer { ...Me } 1 + 0 = 1. Total 92.
    name: 'named fragments',
    query: `
      query { products(first: 10) { ...Page } viewer { ...Me } }
      fragment Page on ProductConnection { edges { node { ...P } } }
      fragment P on Product { id reviews(first: 3) { edges { node { rating } } } }
      fragment Me on User { name }`,
    expected: 92,
  },
  {
    // Each spread is charged (selections are not merged): E = edges 2 × (1 + 1) = 4;
    // products 1 + 4 + 4 = 9.
    name: 'a fragment spread twice is charged twice',
    query: '{ products(first: 2) { ...E ...E } } fragment E on ProductConnection { edges { node { id } } }',
    expected: 9,
  },
  {
    // viewer 1 inside the inline fragment; products 1 + 2 × 2 = 5 inside the other. 1 + 5 = 6.
    name: 'inline fragments',
    query: `{ ... on Query { viewer { id } } ... { ${PAGE('2')} } }`,
    expected: 6,
  },
  {
    // Skipped: only viewer 1.
    name: '@skip(if: true) drops the field from the cost',
    query:
      'query($s: Boolean!) { products(first: 10) @skip(if: $s) { edges { node { id name } } } viewer { id } }',
    variables: { s: true },
    expected: 1,
  },
  {
    // Not skipped: 21 + 1 = 22.
    name: '@skip(if: false) keeps it',
    query:
      'query($s: Boolean!) { products(first: 10) @skip(if: $s) { edges { node { id name } } } viewer { id } }',
    variables: { s: false },
    expected: 22,
  },
  {
    // @include(if: false) on the fragment spread: only health 0.
    name: '@include(if: false) on a spread',
    query: '{ health ...V @include(if: false) } fragment V on Query { viewer { id } }',
    expected: 0,
  },

  // ── operations ──
  {
    // B only: 1 + 1 × 2 = 3.
    name: 'the named operation only',
    query: `query A { viewer { id } } query B { ${PAGE('1')} }`,
    operationName: 'B',
    expected: 3,
  },
  {
    name: 'the other named operation',
    query: `query A { viewer { id } } query B { ${PAGE('1')} }`,
    operationName: 'A',
    expected: 1,
  },
  {
    // Mutations are priced like queries. createOrder 1 + id 0 + totalCents 0 + items
    // 50 × (1 + quantity 0 + product (1 + name 0)) = 100 + owner (1 + name 0) = 1 + 100 + 1 = 102.
    name: 'a mutation returning an object (its items list is sized 50)',
    query: `mutation($input: CreateOrderInput!) {
      createOrder(input: $input) { id totalCents items { quantity product { name } } owner { name } }
    }`,
    variables: {
      input: {
        items: [{ productId: 'p1', quantity: 2 }],
        shippingAddress: { line1: '1 Main St', city: 'Pune', postcode: '411001', country: 'IN' },
      },
    },
    expected: 102,
  },
  {
    // orders(first: 5) { totalCount } 1 + 1 = 2; user 1 + 2 = 3; login 1 + (0 + 3) = 4.
    name: 'a mutation with a connection in its payload',
    query: `mutation {
      login(input: { email: "a@example.com", password: "pw" }) { accessToken user { id orders(first: 5) { totalCount } } }
    }`,
    expected: 4,
  },
  { name: 'a mutation returning a scalar is free', query: 'mutation { logout }', expected: 0 },
];

describe('the cost estimator on the real schema', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.expected}`, () => {
      assert.deepEqual(cost(c.query, c.variables, c.operationName), { ok: true, cost: c.expected });
    });
  }

  it('variables that do not coerce: reason "variables"', () => {
    const query = `query($n: Int!) { ${PAGE('$n')} }`;
    for (const variables of [{}, { n: 'ten' }, { n: null }]) {
      const result = cost(query, variables);
      assert.equal(result.ok, false, JSON.stringify(variables));
      assert.equal(!result.ok && result.reason, 'variables', JSON.stringify(variables));
    }
  });

  it('more than 10 000 evaluated nodes: reason "uncomputable"', () => {
    // 13 fragments each spreading the next twice: the library expands every spread, so it
    // evaluates 1 + 2 + … + 2¹³ = 2¹⁴ − 1 spreads plus 2¹³ `health` selections: 24 575 nodes.
    const lines = ['{ ...F0 }'];
    for (let k = 0; k < 13; k++) lines.push(`fragment F${k} on Query { ...F${k + 1} ...F${k + 1} }`);
    lines.push('fragment F13 on Query { health }');
    const result = cost(lines.join('\n'));
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, 'uncomputable');
    const error = !result.ok ? result.error : undefined;
    assert.equal(
      error instanceof Error && error.message,
      'Query exceeds the maximum allowed number of nodes.',
    );
  });

  it('a fan-out under the node cap is computed in full: 2¹¹ leaves × 1', () => {
    // 11 doubling fragments: 2¹² − 1 = 4 095 spreads + 2¹¹ viewer + 2¹¹ id = 8 191 nodes (< 10 000).
    // Each leaf `viewer { id }` costs 1 and spreads cost nothing themselves: 2¹¹ = 2 048.
    const lines = ['{ ...F0 }'];
    for (let k = 0; k < 11; k++) lines.push(`fragment F${k} on Query { ...F${k + 1} ...F${k + 1} }`);
    lines.push('fragment F11 on Query { viewer { id } }');
    assert.deepEqual(cost(lines.join('\n')), { ok: true, cost: 2048 });
  });
});

// The rest of the model (nested slicing paths, type weights, input-field weights, several
// slicing arguments, nested lists, fractional weights) on a small schema of its own.
describe('the cost estimator rules', () => {
  const small = buildSdlSchema(`
    directive @cost(weight: String!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
    directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
    scalar Money @cost(weight: "2")
    type Heavy @cost(weight: "4") { id: ID! }
    type Item { id: ID! child: Item heavy: Heavy light: Heavy @cost(weight: "0") price: Money tags: [String!]! @listSize(assumedSize: 10) }
    input Filter { text: String @cost(weight: "3") }
    input Page { first: Int! filter: Filter }
    type Query {
      search(input: Page!): [Item!]! @listSize(slicingArguments: ["input.first"])
      byIds(ids: [ID!]!): [Item!]! @listSize(slicingArguments: ["ids"])
      window(first: Int, last: Int): [Item!]!
        @listSize(slicingArguments: ["first", "last"], assumedSize: 100, requireOneSlicingArgument: false)
      strict(first: Int, last: Int): [Item!]! @listSize(slicingArguments: ["first", "last"], assumedSize: 100)
      grid: [[Item!]!]! @listSize(assumedSize: 3)
      heavyOne: Heavy
      halfHeavy: Heavy @cost(weight: "0.5")
      expensive: Int @cost(weight: "7")
    }
  `);
  const smallEstimator = createCostEstimator(small);
  const smallCost = (query: string, variables?: Record<string, unknown>) =>
    computeCost(small, smallEstimator, parse(query), undefined, variables);

  const rules: [string, string, Record<string, unknown> | undefined, number][] = [
    // search: size from input.first 4; 4 × (Item 1 + child (1 + 0)) = 8.
    [
      'slicing argument from a nested input field',
      '{ search(input: { first: 4 }) { child { id } } }',
      undefined,
      8,
    ],
    // The input object as a variable: 6 × (1 + 0) = 6.
    [
      'a nested input field from a variable',
      'query($p: Page!) { search(input: $p) { id } }',
      { p: { first: 6 } },
      6,
    ],
    // A variable inside the input literal: 5 × 1 = 5.
    [
      'a variable inside the input literal',
      'query($n: Int!) { search(input: { first: $n }) { id } }',
      { n: 5 },
      5,
    ],
    // filter.text given: + 3 (@cost on the input field), once; 2 × 1 = 2; 3 + 2 = 5.
    [
      '@cost on an input field',
      '{ search(input: { first: 2, filter: { text: "x" } }) { id } }',
      undefined,
      5,
    ],
    // A list argument sizes by its length: 3 × (1 + child 1) = 6.
    [
      'a list slicing argument sizes by its length',
      '{ byIds(ids: ["a", "b", "c"]) { child { id } } }',
      undefined,
      6,
    ],
    // Empty list: size at least 1: 1 × 2 = 2.
    ['an empty list argument is size 1', '{ byIds(ids: []) { child { id } } }', undefined, 2],
    // A scalar with @cost costs its weight.
    ['@cost weight on a scalar field', '{ expensive }', undefined, 7],
    // Heavy @cost(weight: "4"): heavyOne 4 + id 0 = 4.
    ['@cost weight on a type', '{ heavyOne { id } }', undefined, 4],
    // 2 × (Item 1 + heavy 4) = 10; with light (a field @cost 0 overrides the type's 4): 2 × (1 + 0) = 2.
    ['a type weight inside a list', '{ search(input: { first: 2 }) { heavy { id } } }', undefined, 10],
    [
      "a field's weight overrides its type's",
      '{ search(input: { first: 2 }) { light { id } } }',
      undefined,
      2,
    ],
    // Money @cost(weight: "2"): 2 × (1 + 2) = 6.
    ['@cost weight on a scalar type', '{ search(input: { first: 2 }) { price } }', undefined, 6],
    // tags: assumedSize 10 × String 0 = 0: 1 × (1 + 0) = 1.
    ['a list of scalars with assumedSize', '{ search(input: { first: 1 }) { tags } }', undefined, 1],
    // requireOneSlicingArgument: false, both given: the larger, 5 × 1 = 5.
    ['several slicing arguments: the largest', '{ window(first: 2, last: 5) { id } }', undefined, 5],
    // None given: assumedSize 100 × 1 = 100.
    ['no slicing argument: assumedSize', '{ window { id } }', undefined, 100],
    // One given where exactly one is required: 3 × 1 = 3.
    ['exactly one slicing argument given', '{ strict(last: 3) { id } }', undefined, 3],
    // [[Item!]!]! with assumedSize 3: multiplied once, 3 × 1 = 3.
    ['a nested list type is multiplied once', '{ grid { id } }', undefined, 3],
    // 0.5 rounds up to 1 point.
    ['fractional weights round up', '{ halfHeavy { id } }', undefined, 1],
    // Nested objects: child 1 + (child 1 + (child 1)) = 3 under search 1 × (1 + 3) = 4.
    [
      'objects cost 1 each level',
      '{ search(input: { first: 1 }) { child { child { child { id } } } } }',
      undefined,
      4,
    ],
  ];
  for (const [name, query, variables, expected] of rules) {
    it(`${name}: ${expected}`, () => {
      assert.deepEqual(smallCost(query, variables), { ok: true, cost: expected });
    });
  }

  it('requireOneSlicingArgument: none or both given is uncomputable (refused)', () => {
    for (const query of ['{ strict { id } }', '{ strict(first: 1, last: 2) { id } }']) {
      const result = smallCost(query);
      assert.equal(result.ok, false, query);
      assert.equal(!result.ok && result.reason, 'uncomputable', query);
      const error = !result.ok ? result.error : undefined;
      assert.match(error instanceof Error ? error.message : '', /Query.strict needs exactly one/);
    }
  });
});

describe('the actual cost: the same model on the real list sizes of the response', () => {
  const actual = (
    query: string,
    data: unknown,
    errors?: { path?: (string | number)[] }[],
    variables?: Record<string, unknown>,
  ) => computeCost(schema, estimator, parse(query), undefined, variables, { kind: 'actual', data, errors });
  const page = (n: number) => ({
    products: { edges: Array.from({ length: n }, (_, i) => ({ node: { id: String(i), name: 'p' } })) },
  });

  it('a list costs its real length: products(first: 50) with 3 products is 1 + 3 × 2 = 7 (estimate 101)', () => {
    const q = `{ ${PAGE('50')} }`;
    assert.deepEqual(cost(q), { ok: true, cost: 101 });
    assert.deepEqual(actual(q, page(3)), { ok: true, cost: 7 });
    assert.deepEqual(actual(q, page(0)), { ok: true, cost: 1 });
  });

  it('aliases, fragments and @skip/@include are walked as executed', () => {
    const q = `query($skip: Boolean!) {
      a: products(first: 10) { ...P }
      b: products(first: 10) @skip(if: $skip) { edges { node { id } } }
    }
    fragment P on ProductConnection { totalCount edges { node { id } } }`;
    const data = { a: { totalCount: 2, edges: page(2).products.edges } };
    // a: 1 + totalCount 1 + 2 × 2 = 6; b skipped.
    assert.deepEqual(actual(q, data, undefined, { skip: true }), { ok: true, cost: 6 });
  });

  it('a null costs its weight; a failed branch costs its estimate (never refunded)', () => {
    const q = '{ products(first: 10) { edges { node { id reviews(first: 5) { edges { node { id } } } } } } }';
    // Estimate: reviews 1 + 5 × 2 = 11; node 1 + 11 = 12; 1 + 10 × (1 + 12) = 131.
    assert.deepEqual(cost(q), { ok: true, cost: 131 });
    const node = (reviews: unknown) => ({ node: { id: '1', reviews } });
    // Two products, no reviews: 1 + 2 × (1 + 1 + 1) = 7.
    const empty = { products: { edges: [node({ edges: [] }), node({ edges: [] })] } };
    assert.deepEqual(actual(q, empty), { ok: true, cost: 7 });
    // The second's reviews failed (null with an error at its path): that branch costs 11.
    const failed = { products: { edges: [node({ edges: [] }), node(null)] } };
    assert.deepEqual(actual(q, failed, [{ path: ['products', 'edges', 1, 'node', 'reviews'] }]), {
      ok: true,
      cost: 1 + (1 + 1 + 1) + (1 + 1 + 11),
    });
    // No data at all after an error: the estimate; no data and no error (nothing ran): 0.
    assert.deepEqual(actual(q, null, [{ path: ['products'] }]), { ok: true, cost: 131 });
    assert.deepEqual(actual(q, undefined), { ok: true, cost: 0 });
  });
});
