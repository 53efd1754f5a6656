import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema as buildSdlSchema, parse } from 'graphql';
import { buildSchema } from '../../src/schema.js';
import {
  computeCost,
  createCostEstimator,
  type CostResult,
} from '../../src/security/execution/cost-estimate.js';

// The cost rules (src/security/cost-limit.ts), per field:
//   cost = base + childCost × multiplier
//   base: @cost's complexity; without @cost, 1 for an object (a load), 0 for a scalar or an enum;
//   multiplier: product of the @cost multiplier arguments, each floored and at least 1 (a list
//   argument counts its length); 1 for a field without @cost — lists without @cost are not
//   multiplied.
// In the real schema, products / myOrders / User.orders / Product.reviews carry
// @cost(complexity: 1, multipliers: ["first"]); nothing else has @cost.

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
  // __schema 1 + types (a list of objects, no @cost) 1 + name 0 = 2.
  { name: 'introspection objects cost 1 each', query: '{ __schema { types { name } } }', expected: 2 },

  // ── connections: first as a literal, as a variable ──
  // products 1 + 10 × (edges 1 + node 1 + id 0 + name 0) = 1 + 10 × 2 = 21.
  { name: 'a connection with a literal first', query: `{ ${PAGE('10')} }`, expected: 21 },
  {
    // Same arithmetic with the coerced variable: 1 + 10 × 2 = 21.
    name: 'a connection with first as a variable',
    query: `query($n: Int!) { ${PAGE('$n')} }`,
    variables: { n: 10 },
    expected: 21,
  },
  {
    // 1 + 50 × 2 = 101.
    name: 'the variable value, not the document, sets the multiplier',
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
    // The multiplier is at least 1: 1 + 1 × 2 = 3.
    name: 'first: 0 multiplies by 1',
    query: `{ ${PAGE('0')} }`,
    expected: 3,
  },
  {
    // Negative (refused later by the service): read as 1: 1 + 1 × 2 = 3.
    name: 'a negative first multiplies by 1',
    query: `query($n: Int!) { ${PAGE('$n')} }`,
    variables: { n: -5 },
    expected: 3,
  },
  {
    // child: totalCount 0 + pageInfo (1 + 0) + edges (1 + cursor 0 + node (1 + 0)) = 1 + 2 = 3;
    // products 1 + 3 × 3 = 10.
    name: 'every field of the connection is inside the multiplier',
    query: '{ products(first: 3) { totalCount pageInfo { hasNextPage } edges { cursor node { id } } } }',
    expected: 10,
  },
  {
    // Nothing below costs anything: 1 + 0 × 5 = 1.
    name: 'a connection selecting only scalars costs its base',
    query: '{ myOrders(first: 5) { totalCount } }',
    expected: 1,
  },

  // ── nested lists multiply ──
  {
    // author { name } 1; review node 1 + 1 = 2; review edges 1 + 2 = 3;
    // reviews(first: 5) 1 + 5 × 3 = 16; product node 1 + 16 = 17; product edges 1 + 17 = 18;
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
    // reviews(first: 2) { totalCount } 1 + 0 × 2 = 1; product 1 + 1 = 2; items (a list without
    // @cost: not multiplied) 1 + 2 = 3; order node 1 + 3 = 4; order edges 1 + 4 = 5;
    // orders(first: 4) 1 + 4 × 5 = 21; viewer 1 + 21 = 22. (Up to 50 items per order each load
    // a product and its reviews, yet items counts once: the rule as written, an SDL gap.)
    name: 'a list without @cost inside a connection is charged once',
    query: `{ viewer { orders(first: 4) { edges { node {
      items { quantity product { reviews(first: 2) { totalCount } } }
    } } } } }`,
    expected: 22,
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
    // product node 1 + 7 = 8; edges 1 + 8 = 9 = Page; products 1 + 10 × 9 = 91;
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
    // Each spread is charged (selections are not merged): E = edges 1 + node 1 = 2;
    // products 1 + 2 × (2 + 2) = 9.
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
    // createOrder (object, no @cost) 1 + (id 0 + totalCents 0 + items (1 + quantity 0 +
    // product (1 + name 0)) + owner (1 + name 0)) = 1 + (2 + 1) = 4.
    name: 'a mutation returning an object',
    query: `mutation($input: CreateOrderInput!) {
      createOrder(input: $input) { id totalCents items { quantity product { name } } owner { name } }
    }`,
    variables: {
      input: {
        items: [{ productId: 'p1', quantity: 2 }],
        shippingAddress: { line1: '1 Main St', city: 'Pune', postcode: '411001', country: 'IN' },
      },
    },
    expected: 4,
  },
  {
    // orders(first: 5) { totalCount } 1 + 0 × 5 = 1; user 1 + 1 = 2; login 1 + (0 + 2) = 3.
    name: 'a mutation with a connection in its payload',
    query: `mutation {
      login(input: { email: "a@example.com", password: "pw" }) { accessToken user { id orders(first: 5) { totalCount } } }
    }`,
    expected: 3,
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

// The real schema multiplies by one argument with complexity 1 everywhere; the rest of the rule
// (other complexities, several multipliers, list arguments) on a small schema of its own.
describe('the cost estimator rules', () => {
  const small = buildSdlSchema(`
    directive @cost(complexity: Int!, multipliers: [String!]) on FIELD_DEFINITION
    type Item { id: ID! tags: [String!]! child: Item }
    type Query {
      grid(rows: Int!, cols: Int!): [Item!]! @cost(complexity: 3, multipliers: ["rows", "cols"])
      byIds(ids: [ID!]!): [Item!]! @cost(complexity: 2, multipliers: ["ids"])
      expensive: Int @cost(complexity: 7)
      optional(first: Int): [Item!]! @cost(complexity: 1, multipliers: ["first"])
    }
  `);
  const smallEstimator = createCostEstimator(small);
  const smallCost = (query: string) => computeCost(small, smallEstimator, parse(query), undefined, undefined);

  const rules: [string, string, number][] = [
    // 3 + (child 1 + 0) × 4 × 5 = 23.
    ['two multipliers multiply together', '{ grid(rows: 4, cols: 5) { id child { id } } }', 23],
    // 2 + (child 1) × 3 ids = 5.
    ['a list argument multiplies by its length', '{ byIds(ids: ["a", "b", "c"]) { child { id } } }', 5],
    // Empty list: multiplier at least 1: 2 + 1 × 1 = 3.
    ['an empty list argument multiplies by 1', '{ byIds(ids: []) { child { id } } }', 3],
    // A scalar with @cost costs its complexity.
    ['a scalar with @cost', '{ expensive }', 7],
    // Argument absent: multiplier 1: 1 + 1 × 1 = 2.
    ['an absent multiplier argument multiplies by 1', '{ optional { child { id } } }', 2],
    // Nested objects without @cost: child 1 + (child 1 + (child 1)) = 3 under grid 3 + 3 × 1 × 1 = 6.
    [
      'objects without @cost cost 1 each level',
      '{ grid(rows: 1, cols: 1) { child { child { child { id } } } } }',
      6,
    ],
  ];
  for (const [name, query, expected] of rules) {
    it(`${name}: ${expected}`, () => {
      assert.deepEqual(smallCost(query), { ok: true, cost: expected });
    });
  }
});
