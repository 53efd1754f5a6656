import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { graphql } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createLimiterFactory } from '../../src/store/limiters.js';
import { parseConfig } from '../../src/config.js';
import { createRateLimitTransform } from '../../src/security/execution/rate-limit.js';

// The shop schema has no limited field below the root, so the list rule is shown on a tiny schema
// run through the same transform (in process: this is the directive's charging rule, not HTTP).
const typeDefs = /* GraphQL */ `
  directive @rateLimit(limit: Int! = 60, duration: Int! = 60) on OBJECT | FIELD_DEFINITION
  type Item {
    id: Int!
    secret: String @rateLimit(limit: 3, duration: 60)
  }
  type Query {
    items(n: Int!): [Item!]!
  }
`;

describe('@rateLimit on a field inside a list', () => {
  it('is charged once per list item; items past the budget get RATE_LIMITED at their paths', async () => {
    const limiters = createLimiterFactory({ redis: undefined, prefix: 'list:' });
    // The environment's single profile: the SDL's limits as written.
    const profile = parseConfig({ NODE_ENV: 'test' }).profiles.set.select({ kind: 'anonymous' });
    const schema = createRateLimitTransform({ limiters })(
      makeExecutableSchema({
        typeDefs,
        resolvers: {
          Query: {
            items: (_: unknown, { n }: { n: number }) => Array.from({ length: n }, (_x, id) => ({ id })),
          },
          Item: { secret: ({ id }: { id: number }) => `s${id}` },
        },
      }),
    );
    const run = (n: number, ip: string) =>
      graphql({
        schema,
        source: `{ items(n: ${n}) { id secret } }`,
        contextValue: { viewer: { kind: 'anonymous' }, ip, network: ip, profile },
      });

    const ok = await run(3, '10.0.0.1');
    assert.equal(ok.errors, undefined);
    assert.deepEqual(
      (ok.data?.items as { secret: string }[]).map((i) => i.secret),
      ['s0', 's1', 's2'],
    );

    const over = await run(5, '10.0.0.2');
    const secrets = (over.data?.items as { secret: string | null }[]).map((i) => i.secret);
    assert.equal(secrets.filter((s) => s !== null).length, 3, 'exactly the budget was served');
    assert.equal(over.errors?.length, 2);
    for (const e of over.errors ?? []) {
      assert.equal(e.extensions.code, 'RATE_LIMITED');
      assert.equal(e.path?.[2], 'secret');
    }
    // The first client's budget (3, spent) is its own: one more item is refused.
    const again = await run(1, '10.0.0.1');
    assert.equal(again.errors?.[0]?.extensions.code, 'RATE_LIMITED');
  });
});
