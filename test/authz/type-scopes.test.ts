import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  getNamedType,
  graphql,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getDirective } from '@graphql-tools/utils';
import { securityMarkOf } from '../../src/audit/marks.js';
import type { Viewer } from '../../src/auth/viewer.js';
import type { Role, Scope } from '../../src/generated/schema-types.js';
import { buildSchema, loadTypeDefs } from '../../src/schema.js';
import { isRootType } from '../../src/security/execution/assert-annotated.js';
import { applyAuthDirectives, typeScopes } from '../../src/security/execution/auth-directive.js';
import { ALL_SCOPES } from './authz-helpers.js';

// Scopes on every path (issue 14): an API key reaches an object type only through a scope the type
// lists. The decision per type, written out by hand (a wrong directive in the schema fails here);
// a new object type must be added to this table.
const TYPE_SCOPES: Record<string, readonly Scope[]> = {
  Product: ['PRODUCTS_READ'],
  ProductEdge: ['PRODUCTS_READ'],
  ProductConnection: ['PRODUCTS_READ'],
  // A review writer sees the review it created.
  Review: ['PRODUCTS_READ', 'REVIEWS_WRITE'],
  ReviewEdge: ['PRODUCTS_READ', 'REVIEWS_WRITE'],
  ReviewConnection: ['PRODUCTS_READ', 'REVIEWS_WRITE'],
  // Review authors' public names; an order's owner.
  User: ['PRODUCTS_READ', 'REVIEWS_WRITE', 'ORDERS_READ', 'ORDERS_WRITE'],
  Order: ['ORDERS_READ', 'ORDERS_WRITE'],
  OrderItem: ['ORDERS_READ', 'ORDERS_WRITE'],
  Address: ['ORDERS_READ', 'ORDERS_WRITE'],
  OrderEdge: ['ORDERS_READ', 'ORDERS_WRITE'],
  OrderConnection: ['ORDERS_READ', 'ORDERS_WRITE'],
  PageInfo: ['PRODUCTS_READ', 'ORDERS_READ', 'ORDERS_WRITE', 'REVIEWS_WRITE'],
  CostEstimate: ['PRODUCTS_READ', 'ORDERS_READ', 'ORDERS_WRITE', 'REVIEWS_WRITE'],
  // Keys never sign in, nor manage keys.
  AuthPayload: [],
  ApiKey: [],
  CreatedApiKey: [],
};

const keyWith = (scopes: readonly Scope[], role: Role = 'CUSTOMER'): Viewer => ({
  kind: 'apiKey',
  keyId: 'k1',
  userId: 'u1',
  role,
  scopes,
  tier: null,
});
const OTHER_VIEWERS: Viewer[] = [
  { kind: 'anonymous' },
  { kind: 'user', userId: 'u1', role: 'CUSTOMER', tokenId: 't1' },
];

/** The user-defined object types other than Query and Mutation. */
const objectTypes = (schema: GraphQLSchema) =>
  Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__') && !isRootType(schema, t),
  );

describe('the scopes of every object type', () => {
  const sdl = makeExecutableSchema({ typeDefs: loadTypeDefs() });

  it('every object type is in the table, and declares exactly its scopes in the SDL', () => {
    const types = objectTypes(sdl);
    assert.deepEqual(types.map((t) => t.name).sort(), Object.keys(TYPE_SCOPES).sort());
    for (const type of types)
      assert.deepEqual(
        [...typeScopes(sdl, type)].sort(),
        [...(TYPE_SCOPES[type.name] ?? [])].sort(),
        type.name,
      );
  });

  // Each type behind a test-only root field open to every scope, so that only the edge into the
  // type decides; run on the real buildSchema (the app's wrapping).
  const probe = (type: string) => `probe${type}`;
  const probes = `extend type Query {\n${Object.keys(TYPE_SCOPES)
    .map((type) => `  ${probe(type)}: ${type} @public(scopes: [${ALL_SCOPES.join(', ')}])`)
    .join('\n')}\n}`;
  const schema = buildSchema({ typeDefs: [...loadTypeDefs(), probes] });
  const reach = (type: string, viewer: Viewer) =>
    graphql({
      schema,
      source: `{ ${probe(type)} { __typename } }`,
      rootValue: { [probe(type)]: {} },
      contextValue: { viewer },
    });

  for (const [type, scopes] of Object.entries(TYPE_SCOPES)) {
    for (const scope of ALL_SCOPES) {
      const allowed = scopes.includes(scope);
      it(`${type} × a key with only ${scope} → ${allowed ? 'reached' : 'FORBIDDEN'}`, async () => {
        const res = await reach(type, keyWith([scope]));
        if (allowed) {
          assert.equal(res.errors, undefined, JSON.stringify(res.errors));
          assert.deepEqual(JSON.parse(JSON.stringify(res.data)), { [probe(type)]: { __typename: type } });
          return;
        }
        assert.equal(res.errors?.length, 1, JSON.stringify(res));
        const [error] = res.errors ?? [];
        assert.equal(error?.extensions.code, 'FORBIDDEN');
        assert.equal(error?.message, 'This API key does not have the scope for this field.');
        assert.deepEqual(error?.path, [probe(type)]);
        assert.deepEqual(JSON.parse(JSON.stringify(res.data)), { [probe(type)]: null });
        assert.deepEqual(securityMarkOf(error)?.details, { field: `Query.${probe(type)}`, reason: 'scope' });
      });
    }
    it(`${type} × anonymous and signed-in viewers → reached (the edge rule is for keys only)`, async () => {
      for (const viewer of OTHER_VIEWERS) {
        const res = await reach(type, viewer);
        assert.equal(res.errors, undefined, JSON.stringify(res.errors));
      }
    });
  }
});

// Every field of the schema that returns an object type (root fields, nested fields, lists) is
// guarded: a key with a single scope gets through exactly when the field's own rule and the
// target type's scopes both admit it. Called on the wrapped resolvers directly (the SDL without
// resolvers: the default resolver answers from the source object when allowed).
describe('every field returning an object type checks the type’s scopes', () => {
  const bare = makeExecutableSchema({ typeDefs: loadTypeDefs() });
  const wrapped = applyAuthDirectives(bare);

  /** What the field's own rule (its @auth / @public, else its type's @auth) admits for a key. */
  const fieldAdmits = (parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>, viewer: Viewer) => {
    const rule = (getDirective(bare, field, 'auth')?.[0] ??
      getDirective(bare, field, 'public')?.[0] ??
      getDirective(bare, parent, 'auth')?.[0]) as { requires?: Role[]; scopes?: Scope[] } | undefined;
    if (!rule || viewer.kind !== 'apiKey') return true;
    return (
      (rule.scopes ?? []).some((s) => viewer.scopes.includes(s)) &&
      (!rule.requires || rule.requires.includes(viewer.role))
    );
  };

  const edges: [GraphQLObjectType, GraphQLField<unknown, unknown>, string][] = [];
  for (const parent of Object.values(bare.getTypeMap())) {
    if (!isObjectType(parent) || parent.name.startsWith('__')) continue;
    for (const field of Object.values(parent.getFields())) {
      const target = getNamedType(field.type);
      if (isObjectType(target) && !isRootType(bare, target)) edges.push([parent, field, target.name]);
    }
  }

  it('the schema has such fields, nested ones included', () => {
    const names = edges.map(([p, f]) => `${p.name}.${f.name}`);
    for (const coordinate of ['OrderItem.product', 'Review.product', 'Review.author', 'Query.products'])
      assert.ok(names.includes(coordinate), coordinate);
  });

  for (const [parent, field, target] of edges) {
    const coordinate = `${parent.name}.${field.name}`;
    it(`${coordinate} → ${target}: a key with one scope passes exactly when both rules admit it`, () => {
      const resolve = (wrapped.getType(parent.name) as GraphQLObjectType).getFields()[field.name]?.resolve;
      assert.ok(resolve, `${coordinate} is wrapped`);
      const info = { fieldName: field.name } as GraphQLResolveInfo;
      const value = {};
      for (const scope of ALL_SCOPES) {
        const viewer = keyWith([scope]);
        const expected = fieldAdmits(parent, field, viewer) && (TYPE_SCOPES[target] ?? []).includes(scope);
        let error: unknown;
        let result: unknown;
        try {
          result = resolve({ [field.name]: value }, {}, { viewer }, info);
        } catch (e) {
          error = e;
        }
        if (expected) assert.equal(result, value, `${scope} reaches ${coordinate}`);
        else {
          assert.equal(securityMarkOf(error)?.event, 'authz_denied', `${scope} is refused at ${coordinate}`);
          assert.equal((error as { extensions?: { code?: string } }).extensions?.code, 'FORBIDDEN');
        }
      }
      // Any other viewer is not held to the target's scopes (its own rule may still refuse it).
      if (!getDirective(bare, field, 'auth') && !getDirective(bare, parent, 'auth')) {
        for (const viewer of OTHER_VIEWERS)
          assert.equal(resolve({ [field.name]: value }, {}, { viewer }, info), value, coordinate);
      }
    });
  }
});
