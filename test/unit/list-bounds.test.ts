import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createApp } from '../../src/app.js';
import { buildSchema, loadTypeDefs } from '../../src/schema.js';
import { checkTypeDefs } from '../../src/security/protect.js';
import { listBounds } from '../../src/security/execution/list-bounds.js';
import { startupFixture } from '../helpers/app.js';

// Every list field of the schema is bounded (the cost protection's start-up check): a slicing
// argument that is required or falls back to an assumedSize, an assumedSize, or the sizedFields
// of every field that returns its type.

describe('every list field is bounded', () => {
  it('the bound in force for each list field of the real schema', () => {
    // A new list field changes this table: add its @listSize and its row here.
    assert.deepEqual(listBounds(buildSchema()), {
      bounds: {
        // createApiKey refuses a 21st active key; the list returns at most 50 (active first).
        'Query.apiKeys': 'assumedSize 50',
        // 4 scopes exist and createApiKey refuses repeats.
        'ApiKey.scopes': 'assumedSize 4',
        // createOrder refuses more than 50 items.
        'Order.items': 'assumedSize 50',
        // first: Int!, 1..100 in parsePage (src/graphql/pagination.ts).
        'OrderConnection.edges': 'first (via Query.myOrders); first (via User.orders)',
        'ProductConnection.edges': 'first (via Query.products)',
        'ReviewConnection.edges': 'first (via Product.reviews)',
      },
      problems: [],
    });
  });

  const UNBOUNDED = /* GraphQL */ `
    type Tag {
      name: String!
    }
    extend type Product {
      tags: [Tag!]!
      matrix: [[Int!]]
    }
    extend type Query {
      allUsers: [User!]! @auth(requires: [ADMIN])
      pagedUsers(first: Int): [User!]! @auth(requires: [ADMIN]) @listSize(slicingArguments: ["first"])
      badPath(n: Int!): [User!]! @auth(requires: [ADMIN]) @listSize(slicingArguments: ["input.first"])
      weighted: Int @public @cost(weight: "lots")
    }
    type Query2 {
      leak: ProductConnection
    }
    extend type Query {
      other: Query2 @public
    }
  `;
  const EXPECTED = [
    'Product.tags: a list without a bound (@listSize with a slicing argument or an assumedSize)',
    'Product.matrix: a list without a bound (@listSize with a slicing argument or an assumedSize)',
    'Query.allUsers: a list without a bound (@listSize with a slicing argument or an assumedSize)',
    'Query.pagedUsers: slicing argument "first" is optional and there is no assumedSize',
    'Query.badPath: slicing argument "input.first" is not an Int argument of the field',
    'Query.weighted: @cost weight "lots" is not a number ≥ 0',
    // ProductConnection is also reached without sizedFields: its edges need a bound of their own.
    'ProductConnection.edges: a list without a bound (@listSize with a slicing argument or an assumedSize; also reached without sizedFields)',
  ];

  it('names every offending coordinate', () => {
    const { problems } = listBounds(makeExecutableSchema({ typeDefs: [...loadTypeDefs(), UNBOUNDED] }));
    assert.deepEqual([...problems].sort(), [...EXPECTED].sort());
  });

  it('the start-up check refuses the schema, naming each coordinate', () => {
    assert.throws(
      () => checkTypeDefs([...loadTypeDefs(), UNBOUNDED]),
      (e: unknown) =>
        e instanceof Error &&
        /Every list field needs a bound/.test(e.message) &&
        EXPECTED.every((p) => e.message.includes(p)),
    );
  });

  it('the app refuses to start with an unbounded list, opening nothing', async () => {
    const { config, log, cleanup } = startupFixture('sgql-lists-');
    try {
      await assert.rejects(
        createApp({
          config,
          log,
          typeDefs: [...loadTypeDefs(), 'extend type Query { everyone: [User!]! @auth(requires: [ADMIN]) }'],
        }),
        (e: unknown) => e instanceof Error && e.message.includes('Query.everyone: a list without a bound'),
      );
    } finally {
      cleanup();
    }
  });
});
