import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'graphql';
import { analyzeDocument, type DocumentAnalysis } from '../../src/security/document/analysis.js';

// The analysis is schema-free: it only walks the AST, so field names need not exist. Every
// expected number below is counted by hand:
//   aliases / directives / rootFields / fragmentSpreads: counted with every spread expanded
//     (a fragment spread twice counts its contents twice);
//   depth: nesting of selection sets below the operation's own (`{ a { b } }` is 1, `{ a }` is 0),
//     spreads and inline fragments add no level;
//   directives: on fields, inline fragments, spreads, fragment definitions (once per expansion),
//     the operation and its variable definitions.

interface Expected {
  name: string | null;
  aliases: number;
  directives: number;
  rootFields: number;
  fragmentSpreads: number;
  depth: number;
}

type Outcome = Expected[] | 'fragment_cycle' | 'unknown_fragment' | 'duplicate_fragment';

/** The analysis without the AST nodes, so results compare with deepEqual. */
function summary(analysis: DocumentAnalysis): Outcome {
  if (!analysis.safe) return analysis.problem;
  return analysis.operations.map(({ node, ...stats }) => ({ name: node.name?.value ?? null, ...stats }));
}

const op = (
  name: string | null,
  aliases: number,
  directives: number,
  rootFields: number,
  fragmentSpreads: number,
  depth: number,
): Expected => ({ name, aliases, directives, rootFields, fragmentSpreads, depth });

interface Case {
  name: string;
  query: string;
  expected: Outcome;
}

const cases: Case[] = [
  // ── plain queries ──
  { name: 'a single scalar field', query: '{ health }', expected: [op(null, 0, 0, 1, 0, 0)] },
  { name: 'the depth example of the doc comment', query: '{ a { b } }', expected: [op(null, 0, 0, 1, 0, 1)] },
  {
    // items{quantity} 1, node 2, edges 3, orders 4, viewer 5.
    name: 'nested fields: depth counts selection sets, rootFields only the top level',
    query: '{ health viewer { id name orders(first: 2) { edges { node { id items { quantity } } } } } }',
    expected: [op(null, 0, 0, 2, 0, 5)],
  },
  {
    name: 'introspection fields count like any other',
    query: '{ __typename __schema { types { fields { name } } } }',
    expected: [op(null, 0, 0, 2, 0, 3)],
  },

  // ── aliases ──
  {
    // a:, b:, me: — an alias equal to the field name still counts.
    name: 'aliases at every level',
    query: '{ a: health b: health viewer { me: id name id: id } }',
    expected: [op(null, 4, 0, 3, 0, 1)],
  },

  // ── inline fragments ──
  {
    // Root: health + viewer (through the inline fragment) + __typename = 3. viewer { … } depth 1;
    // the nested inline fragment adds no level.
    name: 'inline fragments are transparent: no spread, no depth level',
    query: '{ ... on Query { health viewer { id ... on User { name } } } __typename }',
    expected: [op(null, 0, 0, 3, 0, 1)],
  },
  {
    name: 'an inline fragment without a type condition, with a directive',
    query: '{ ... @include(if: true) { health h: health } }',
    expected: [op(null, 1, 1, 2, 0, 0)],
  },

  // ── named fragments ──
  {
    // Spreads: ...UserParts, ...UserOrders (inside it), ...RootParts = 3.
    // Root fields: viewer + RootParts' two = 3. Alias: h2. Depth: UserOrders is 3
    // (orders{edges{node{id}}}), under viewer 4.
    name: 'nested fragments',
    query: `
      query Q { viewer { ...UserParts } ...RootParts }
      fragment RootParts on Query { health h2: health }
      fragment UserParts on User { id ...UserOrders }
      fragment UserOrders on User { orders(first: 1) { edges { node { id } } } }`,
    expected: [op('Q', 1, 0, 3, 3, 4)],
  },
  {
    // The doc comment's example: `...A` where A spreads B twice counts 3.
    name: 'a fragment spreading another twice',
    query: '{ ...A } fragment A on Query { ...B ...B } fragment B on Query { health }',
    expected: [op(null, 0, 0, 2, 3, 0)],
  },
  {
    name: 'one fragment spread twice in a nested selection',
    query: '{ viewer { ...U ...U } } fragment U on User { n: name }',
    expected: [op(null, 2, 0, 1, 2, 1)],
  },
  {
    // A → B, A → C, B → D, C → D. Spreads: D 0, B 1, C 1, A 2 + 1 + 1 = 4, op 1 + 4 = 5.
    // D's health reaches the root twice (through B and through C).
    name: 'a diamond is not a cycle; the shared fragment counts once per path',
    query: `
      { ...A }
      fragment A on Query { ...B ...C }
      fragment B on Query { ...D }
      fragment C on Query { ...D }
      fragment D on Query { health }`,
    expected: [op(null, 0, 0, 2, 5, 0)],
  },
  {
    // The definition order does not matter: the leaf comes first here.
    name: 'fragments defined before the operation and in reverse dependency order',
    query: `
      fragment Leaf on User { x: id }
      fragment Mid on User { orders(first: 1) { totalCount } ...Leaf }
      { viewer { ...Mid } }`,
    expected: [op(null, 1, 0, 1, 2, 2)],
  },
  {
    name: 'an unused fragment does not count',
    query: '{ health } fragment Unused on Query { a: health b: health }',
    expected: [op(null, 0, 0, 1, 0, 0)],
  },

  // ── directives ──
  {
    // $skip's @var 1, @op 1, health @skip @other 2, viewer @include 1, id @a 1, ...U @s 1,
    // U's definition @frag 1, name @n 1, inline @inl 1 = 10.
    name: 'directives everywhere: operation, variable, field, spread, fragment, inline fragment',
    query: `
      query Q($skip: Boolean = false @var) @op {
        health @skip(if: $skip) @other
        viewer @include(if: true) { id @a ...U @s }
        ... on Query @inl { h: health }
      }
      fragment U on User @frag { name @n }`,
    expected: [op('Q', 1, 10, 3, 1, 1)],
  },
  {
    // Per expansion: the definition's @d and health's @e = 2; spread twice = 4.
    name: "a fragment definition's directives count once per expansion",
    query: '{ ...F ...F } fragment F on Query @d { health @e }',
    expected: [op(null, 0, 4, 2, 2, 0)],
  },

  // ── multiple operations ──
  {
    name: 'each operation is measured on its own, in document order',
    query: `
      query A { health }
      query B { viewer { id } a: health }
      mutation C @m { logout }
      fragment F on Query { health viewer { name } }
      query D { ...F ...F }
      subscription E { s { t { u } } }`,
    expected: [
      op('A', 0, 0, 1, 0, 0),
      op('B', 1, 0, 2, 0, 1),
      op('C', 0, 1, 1, 0, 0),
      op('D', 0, 0, 4, 2, 1),
      op('E', 0, 0, 1, 0, 2),
    ],
  },
  {
    name: 'a document of fragments only has no operation',
    query: 'fragment F on Query { health }',
    expected: [],
  },

  // ── cycles ──
  {
    name: 'self-spread',
    query: '{ ...A } fragment A on Query { health ...A }',
    expected: 'fragment_cycle',
  },
  {
    name: 'A spreads B spreads A',
    query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }',
    expected: 'fragment_cycle',
  },
  {
    name: 'a cycle through nested fields',
    query:
      '{ viewer { ...A } } fragment A on User { orders(first: 1) { edges { node { owner { ...A } } } } }',
    expected: 'fragment_cycle',
  },
  {
    name: 'a three-fragment cycle entered from its middle',
    query: `
      { ...B }
      fragment A on Query { ...B }
      fragment B on Query { ...C }
      fragment C on Query { ...A }`,
    expected: 'fragment_cycle',
  },
  {
    name: 'a cycle among fragments no operation uses',
    query: '{ health } fragment A on Query { ...B } fragment B on Query { ...A }',
    expected: 'fragment_cycle',
  },
  {
    name: 'a cycle behind an acyclic prefix',
    query: `
      { ...A }
      fragment A on Query { ...B ...B }
      fragment B on Query { ...C }
      fragment C on Query { ...B }`,
    expected: 'fragment_cycle',
  },

  // ── unknown fragments ──
  { name: 'an operation spreads an unknown fragment', query: '{ ...Missing }', expected: 'unknown_fragment' },
  // graphql-depth-limit walks the last of two same-named fragments; the analysis saw the first.
  {
    name: 'two fragments share a name (the second hides a cycle)',
    query: '{ ...F } fragment F on Query { health } fragment F on Query { ...F }',
    expected: 'duplicate_fragment',
  },
  {
    name: 'a fragment spreads an unknown fragment, deep in a field',
    query: '{ ...A } fragment A on Query { viewer { orders(first: 1) { ...Nope } } }',
    expected: 'unknown_fragment',
  },
  {
    name: 'an unused fragment spreads an unknown fragment',
    query: '{ health } fragment A on Query { ...Nope }',
    expected: 'unknown_fragment',
  },
  {
    name: 'an unknown fragment inside an inline fragment',
    query: '{ ... on Query { viewer { ...Nope } } }',
    expected: 'unknown_fragment',
  },
  {
    // Unknown names are checked before cycles.
    name: 'a document with both a cycle and an unknown fragment reports the unknown one',
    query: '{ ...A } fragment A on Query { ...A ...Nope }',
    expected: 'unknown_fragment',
  },
];

describe('analyzeDocument', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(summary(analyzeDocument(parse(c.query))), c.expected);
    });
  }

  it('returns the cached result for the same document object', () => {
    const document = parse('{ health }');
    const first = analyzeDocument(document);
    assert.equal(analyzeDocument(document), first);
    assert.notEqual(analyzeDocument(parse('{ health }')), first);
  });
});

/**
 * `{ ...F0 }` with F0 … F(n−1) each spreading the next fragment twice, and Fn = `leaf`:
 * Fn is reached 2ⁿ times. Spreads: S(Fn) = 0, S(Fk) = 2 + 2·S(Fk+1), so S(F0) = 2ⁿ⁺¹ − 2 and the
 * operation (one more spread) has 2ⁿ⁺¹ − 1.
 */
function fanOut(n: number, leaf: string): string {
  const lines = ['{ ...F0 }'];
  for (let k = 0; k < n; k++) lines.push(`fragment F${k} on Query { ...F${k + 1} ...F${k + 1} }`);
  lines.push(`fragment F${n} on Query ${leaf}`);
  return lines.join('\n');
}

describe('analyzeDocument on fragment fan-out (counted, never expanded)', () => {
  // The leaf has one root field (viewer), one alias, one directive and depth 1.
  const LEAF = '{ viewer { x: id @d } }';

  it('10 doubling fragments: 2¹⁰ leaves, 2¹¹ − 1 spreads', () => {
    assert.deepEqual(summary(analyzeDocument(parse(fanOut(10, LEAF)))), [
      op(null, 1024, 1024, 1024, 2047, 1),
    ]);
  });

  it('40 doubling fragments: exact counts of 2⁴⁰ leaves and 2⁴¹ − 1 spreads', () => {
    const leaves = 2 ** 40; // 1 099 511 627 776
    assert.deepEqual(summary(analyzeDocument(parse(fanOut(40, LEAF)))), [
      op(null, leaves, leaves, leaves, 2 ** 41 - 1, 1),
    ]);
  });

  it('1 100 doubling fragments: counts overflow to Infinity (still above any limit), never NaN', () => {
    // 2¹¹⁰⁰ is past Number.MAX_VALUE (≈ 2¹⁰²⁴); sums only, so Infinity rather than NaN.
    assert.deepEqual(summary(analyzeDocument(parse(fanOut(1100, LEAF)))), [
      op(null, Infinity, Infinity, Infinity, Infinity, 1),
    ]);
  });

  it('a linear chain of 10 000 fragments: no recursion through the chain', () => {
    // F0 → F1 → … → F9999 { health }: 9 999 spreads inside fragments + 1 in the operation.
    const n = 10_000;
    const lines = ['{ ...F0 }'];
    for (let k = 0; k < n - 1; k++) lines.push(`fragment F${k} on Query { ...F${k + 1} }`);
    lines.push(`fragment F${n - 1} on Query { health }`);
    assert.deepEqual(summary(analyzeDocument(parse(lines.join('\n')))), [op(null, 0, 0, 1, 10_000, 0)]);
  });

  it('a long cycle at the end of a long chain is found without recursion', () => {
    const n = 10_000;
    const lines = ['{ ...F0 }'];
    for (let k = 0; k < n - 1; k++) lines.push(`fragment F${k} on Query { ...F${k + 1} }`);
    lines.push(`fragment F${n - 1} on Query { ...F0 }`);
    assert.equal(summary(analyzeDocument(parse(lines.join('\n')))), 'fragment_cycle');
  });
});
