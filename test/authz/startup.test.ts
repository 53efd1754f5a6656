import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createApp } from '../../src/app.js';
import { buildSchema, loadTypeDefs } from '../../src/schema.js';
import { findUnannotatedRootFields } from '../../src/security/execution/assert-annotated.js';
import { startupFixture } from '../helpers/app.js';

// Secure by default: a Query or Mutation field without exactly one of @auth / @public stops
// start-up, with the full list of offenders, before anything is opened.

const UNPROTECTED = `
  extend type Query { leakUsers: [User!]!  leakCount: Int }
  extend type Mutation { dropEverything: Boolean  both: Boolean @auth @public }
`;
const EXPECTED = [
  'Query.leakUsers',
  'Query.leakCount',
  'Mutation.dropEverything',
  'Mutation.both (both @auth and @public)',
];

describe('unannotated root fields stop start-up', () => {
  it('the real schema has no unannotated root field', () => {
    assert.deepEqual(findUnannotatedRootFields(buildSchema()), []);
  });

  it('buildSchema throws, listing every unannotated field', () => {
    let message = '';
    try {
      buildSchema({ typeDefs: [...loadTypeDefs(), UNPROTECTED] });
    } catch (e) {
      message = e instanceof Error ? e.message : String(e);
    }
    assert.match(message, /needs exactly one of @auth or @public/);
    for (const field of EXPECTED) assert.ok(message.includes(field), `${field} listed in: ${message}`);
    assert.ok(!message.includes('Query.health'), 'annotated fields are not listed');
  });

  it('the app refuses to start, opening nothing; the same app with the real schema starts', async () => {
    const { dataDir, config, log, cleanup } = startupFixture('sgql-authz-');
    try {
      await assert.rejects(
        createApp({ config, log, typeDefs: [...loadTypeDefs(), UNPROTECTED] }),
        (e: unknown) => e instanceof Error && EXPECTED.every((f) => e.message.includes(f)),
      );
      assert.ok(!existsSync(dataDir) || readdirSync(dataDir).length === 0, 'no database was opened');

      // The legitimate pair: the same config with the real schema starts and serves.
      const app = await createApp({ config, log, typeDefs: loadTypeDefs() });
      try {
        const url = await app.listen();
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ health }' }),
        });
        assert.equal(res.status, 200);
        assert.deepEqual(((await res.json()) as { data: unknown }).data, { health: 'ok' });
      } finally {
        await app.stop();
      }
    } finally {
      cleanup();
    }
  });
});
