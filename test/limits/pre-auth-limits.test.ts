import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../src/app.js';
import { buildSchema, loadTypeDefs } from '../../src/schema.js';
import { findImplicitRateLimitKeying } from '../../src/security/execution/rate-limit-keying.js';
import { startApp, startupFixture, type StartOptions, type TestApp } from '../helpers/app.js';
import { requireService } from '../helpers/env.js';
import { codeOf, type GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { createApiKey, insertUser } from '../helpers/users.js';
import { LOGIN_ATTEMPT, loginAs, nobody } from './limits-helpers.js';

// Operations called before signing in are limited per client network, never per credential:
// a bearer token or API key sent along buys no fresh bucket (accounts and keys are free to make).

const REQUEST_RESET = 'mutation($email: String!) { requestPasswordReset(email: $email) }';
const resetFor = () => ({ email: `someone-${randomIp()}@example.com` });

const assertRateLimited = (res: GqlResponse, what: string) => {
  assert.equal(res.status, 200, `${what}: ${res.text}`);
  assert.equal(codeOf(res), 'RATE_LIMITED', `${what}: ${res.text}`);
  assert.ok((res.body.errors?.[0]?.extensions?.retryAfter as number) >= 1, what);
  assert.equal(res.body.data, null, what);
};

function suite(name: string, start: StartOptions, skip: string | false) {
  describe(name, { skip }, () => {
    let t: TestApp;
    before(async () => {
      t = await startApp({ ...start, env: { ...TRUSTING_PROXY, HTTP_RATE_LIMIT: '100000' } });
    });
    after(async () => {
      await t?.stop();
    });

    it('attack: requestPasswordReset (3 per hour) refused after 3 from one network, whatever credentials come along', async () => {
      const ip = randomIp();
      for (let i = 0; i < 3; i++) {
        const res = await t.gql(REQUEST_RESET, resetFor(), fromIp(ip));
        assert.deepEqual(res.body, { data: { requestPasswordReset: true }, extensions: res.body.extensions });
      }
      assertRateLimited(await t.gql(REQUEST_RESET, resetFor(), fromIp(ip)), 'anonymous, 4th');
      // Another user's bearer token, and a fresh account's token each time: no fresh bucket.
      const someone = await insertUser(t, { ip });
      assertRateLimited(await t.gql(REQUEST_RESET, resetFor(), someone.headers), 'with a bearer token');
      for (let i = 0; i < 3; i++) {
        const fresh = await insertUser(t, { ip });
        assertRateLimited(await t.gql(REQUEST_RESET, resetFor(), fresh.headers), `fresh account ${i + 1}`);
      }
      // An API key never reaches an identity mutation (@public without scopes): refused before
      // any limit is touched, so it buys nothing either.
      for (let i = 0; i < 2; i++) {
        const key = await createApiKey(t, someone, ['PRODUCTS_READ']);
        const res = await t.gql(REQUEST_RESET, resetFor(), { ...key.headers, ...fromIp(ip) });
        assert.equal(res.status, 200);
        assert.equal(codeOf(res), 'FORBIDDEN', res.text);
        assert.equal(res.body.data, null);
      }
    });

    it('legitimate: another network is not affected, with or without a token', async () => {
      const spent = randomIp();
      for (let i = 0; i < 4; i++) await t.gql(REQUEST_RESET, resetFor(), fromIp(spent));
      const user = await insertUser(t, { ip: randomIp() });
      const res = await t.gql(REQUEST_RESET, resetFor(), user.headers);
      assert.deepEqual(res.body.data, { requestPasswordReset: true }, res.text);
      const anonymous = await t.gql(REQUEST_RESET, resetFor(), fromIp(randomIp()));
      assert.deepEqual(anonymous.body.data, { requestPasswordReset: true }, anonymous.text);
    });

    it('attack: login (10 per minute) refused after 10 from one network, even with a token and the right password', async () => {
      const ip = randomIp();
      for (let i = 0; i < 10; i++) {
        assert.equal(codeOf(await t.gql(LOGIN_ATTEMPT, nobody(), fromIp(ip))), 'UNAUTHENTICATED');
      }
      const user = await insertUser(t, { ip });
      assertRateLimited(
        await t.gql(LOGIN_ATTEMPT, loginAs(user.email, user.password), user.headers),
        'login with a bearer token',
      );
      // The same user from a clean network signs in.
      const clean = await t.gql(LOGIN_ATTEMPT, loginAs(user.email, user.password), fromIp(randomIp()));
      assert.equal(clean.body.errors, undefined, clean.text);
    });
  });
}

suite(
  'pre-authentication operations are limited per network (in memory, PGlite)',
  { driver: 'pglite' },
  false,
);
suite(
  'pre-authentication operations are limited per network (Redis, PostgreSQL)',
  { driver: 'pg', redis: true },
  requireService('REDIS_URL') || requireService('DATABASE_URL'),
);

describe('start-up: a @public Mutation with @rateLimit says whom it charges', () => {
  const IMPLICIT = `
    extend type Mutation {
      signUpAgain(email: String!): Boolean! @public @rateLimit(limit: 3, duration: 60)
      explicit(email: String!): Boolean! @public @rateLimit(limit: 3, duration: 60, per: VIEWER)
      signedIn: Boolean! @auth @rateLimit(limit: 3, duration: 60)
    }
  `;

  it('the real schema declares it on every such field', () => {
    assert.deepEqual(findImplicitRateLimitKeying(buildSchema()), []);
  });

  it('attack: a new pre-auth mutation without `per` stops start-up, naming it, before anything opens', async () => {
    assert.deepEqual(findImplicitRateLimitKeying(buildSchema({ typeDefs: [...loadTypeDefs(), IMPLICIT] })), [
      'Mutation.signUpAgain',
    ]);
    const { dataDir, config, log, cleanup } = startupFixture('sgql-keying-');
    try {
      await assert.rejects(
        createApp({ config, log, typeDefs: [...loadTypeDefs(), IMPLICIT] }),
        (e: unknown) =>
          e instanceof Error &&
          /must say whom it charges/.test(e.message) &&
          e.message.includes('Mutation.signUpAgain') &&
          !e.message.includes('Mutation.explicit') &&
          !e.message.includes('Mutation.signedIn'),
      );
      assert.ok(!existsSync(dataDir) || readdirSync(dataDir).length === 0, 'no database was opened');
    } finally {
      cleanup();
    }
  });

  it('a @rateLimit on the Mutation type counts for its @public fields without their own', () => {
    const typeDefs = [
      ...loadTypeDefs(),
      'extend type Mutation @rateLimit(limit: 5) { bulk(email: String!): Boolean! @public }',
    ];
    const problems = findImplicitRateLimitKeying(buildSchema({ typeDefs }));
    // Every @public field without a @rateLimit of its own now has the type's, with no `per`.
    assert.ok(problems.includes('Mutation.bulk') && problems.includes('Mutation.logout'), problems.join());
    assert.ok(!problems.includes('Mutation.register'), 'a field with its own @rateLimit keeps it');
    assert.ok(!problems.includes('Mutation.logoutEverywhere'), '@auth fields are per account');
  });
});
