import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config.js';
import { startApp, type TestApp } from '../helpers/app.js';
import { createProducts } from '../helpers/fixtures.js';
import type { GqlResponse } from '../helpers/graphql.js';
import { profilesDir as dir, profilesFile, tightForAnonymous } from '../helpers/profiles.js';
import { insertUser, type TestUser } from '../helpers/users.js';

// Client profiles: each key of a profile changes behaviour for the callers of that profile only.
// One server per key, two callers on it: anonymous visitors get the `tight` profile (that one key
// set low), a signed-in customer the `default` one (the environment's values). The same request
// is refused for the first, with the exact status and code, and served for the second.

const PRODUCTS = (first: number) =>
  `{ products(first: ${first}) { edges { node { id name description priceCents } } } }`;
const ESTIMATE = '{ estimateCost(query: "{ __typename }") { requested } }';

interface Case {
  key: string;
  /** The profile's YAML body (indented under the profile by tightFor). */
  yaml: string;
  /** The request: sent `times` times by each caller; the last answer is checked. */
  query: string;
  times?: number;
  status: number;
  code: string;
  products?: number;
}

const CASES: Case[] = [
  {
    key: 'tokens',
    yaml: 'tokens: 10',
    query: '{ products(first: 1) { edges { node { id name } } } }',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    key: 'depth',
    yaml: 'depth: 2',
    query: '{ products(first: 1) { edges { node { id } } } }',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    key: 'aliases',
    yaml: 'aliases: 1',
    query: '{ a: __typename b: __typename }',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    key: 'directives',
    yaml: 'directives: 0',
    query: '{ __typename @include(if: true) }',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    key: 'rootFields',
    yaml: 'rootFields: 1',
    query: '{ __typename viewer { id } }',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    key: 'fragmentSpreads',
    yaml: 'fragmentSpreads: 1',
    query: '{ ...A ...A } fragment A on Query { __typename }',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  { key: 'cost', yaml: 'cost: 3', query: PRODUCTS(10), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  {
    key: 'budgetPerHour',
    yaml: 'budgetPerHour: 25',
    query: PRODUCTS(10),
    times: 3,
    status: 429,
    code: 'RATE_LIMITED',
    products: 10,
  },
  {
    key: 'httpRate',
    yaml: 'httpRate: 3',
    query: '{ __typename }',
    times: 4,
    status: 429,
    code: 'RATE_LIMITED',
  },
  {
    key: 'responseItems',
    yaml: 'responseItems: 2',
    query: PRODUCTS(5),
    status: 200,
    code: 'RESPONSE_TOO_LARGE',
    products: 5,
  },
  {
    key: 'responseBytes',
    yaml: 'responseBytes: 1024',
    query: PRODUCTS(40),
    status: 200,
    code: 'RESPONSE_TOO_LARGE',
    products: 40,
  },
  {
    key: 'introspection',
    yaml: 'introspection: false',
    query: '{ __schema { queryType { name } } }',
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    key: 'rateLimit.multiplier',
    yaml: 'rateLimit: { multiplier: 0.1 }',
    query: ESTIMATE,
    times: 4,
    status: 200,
    code: 'RATE_LIMITED',
  },
  {
    key: 'rateLimit.fields',
    yaml: 'rateLimit:\n  fields: { Query.estimateCost: 2 }',
    query: ESTIMATE,
    times: 3,
    status: 200,
    code: 'RATE_LIMITED',
  },
];

/** The last of `times` answers to `query` from one caller. */
async function lastOf(
  t: TestApp,
  query: string,
  times: number,
  headers: Record<string, string>,
): Promise<GqlResponse> {
  let res: GqlResponse | undefined;
  for (let i = 0; i < times; i++) res = await t.gql(query, {}, headers);
  return res as GqlResponse;
}

describe('client profiles: each key changes behaviour for its callers only', () => {
  for (const c of CASES) {
    it(`${c.key}: refused for the tight profile (${c.status} ${c.code}), served for the default one`, async () => {
      const t = await startApp({ env: { PROFILES_FILE: profilesFile(tightForAnonymous(c.yaml)) } });
      try {
        if (c.products) await createProducts(t, c.products);
        const customer: TestUser = await insertUser(t);
        const served = await lastOf(t, c.query, c.times ?? 1, customer.headers);
        assert.equal(served.status, 200, served.text);
        assert.equal(served.body.errors, undefined, served.text);
        assert.equal((served.body.extensions?.cost as { profile?: string } | undefined)?.profile, 'default');

        const refused = await lastOf(t, c.query, c.times ?? 1, {});
        assert.equal(refused.status, c.status, refused.text);
        assert.equal(refused.body.errors?.[0]?.extensions?.code, c.code, refused.text);
        // Every security event of the refusal names the profile it was made under.
        const events = t.logs.filter((l) => l.security === true && l.viewer === 'anonymous');
        assert.ok(events.length > 0, 'a security event');
        for (const event of events) assert.equal(event.profile, 'tight', JSON.stringify(event));
      } finally {
        await t.stop();
      }
    });
  }

  it('the dry run (estimateCost) holds each caller to its own profile, as a real request', async () => {
    const t = await startApp({ env: { PROFILES_FILE: profilesFile(tightForAnonymous('depth: 2')) } });
    try {
      const customer = await insertUser(t);
      const dryRun =
        '{ estimateCost(query: "{ products(first: 1) { edges { node { id } } } }") { requested } }';
      const refused = await t.gql(dryRun);
      assert.equal(refused.status, 200, refused.text);
      assert.equal(refused.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      const priced = await t.gql(dryRun, {}, customer.headers);
      assert.equal(priced.body.errors, undefined, priced.text);
    } finally {
      await t.stop();
    }
  });

  it('without a file, the environment is the single `default` profile', async () => {
    const t = await startApp({ env: { MAX_ALIASES: '1' } });
    try {
      const res = await t.gql('{ a: __typename b: __typename }');
      assert.equal(res.status, 400);
      assert.equal(res.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      const ok = await t.gql('{ __typename }');
      assert.equal((ok.body.extensions?.cost as { profile?: string }).profile, 'default');
    } finally {
      await t.stop();
    }
  });

  it('a profile may raise a limit above the environment (the ceiling follows it)', async () => {
    const file = profilesFile(`
profiles:
  wide: { aliases: 20 }
select:
  roles: { CUSTOMER: wide }
`);
    const t = await startApp({ env: { PROFILES_FILE: file, MAX_ALIASES: '2' } });
    try {
      const customer = await insertUser(t);
      const query = `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
      const wide = await t.gql(query, {}, customer.headers);
      assert.equal(wide.status, 200, wide.text);
      assert.equal((wide.body.extensions?.cost as { profile?: string }).profile, 'wide');
      const anonymous = await t.gql(query);
      assert.equal(anonymous.status, 400);
      assert.equal(anonymous.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    } finally {
      await t.stop();
    }
  });
});

describe('client profiles: the file is checked at start', () => {
  const refused = (text: string, name?: string) => {
    const path = profilesFile(text, name);
    return () => parseConfig({ NODE_ENV: 'test', PROFILES_FILE: path });
  };
  it('an unknown key is named', () => {
    assert.throws(refused('profiles:\n  p: { dpeth: 3 }\n'), /PROFILES_FILE: .*profiles\.p.*dpeth/);
  });
  it('a value of the wrong type is named', () => {
    assert.throws(refused('profiles:\n  p: { depth: "deep" }\n'), /PROFILES_FILE: .*profiles\.p\.depth/);
  });
  it('a rule naming a missing profile is named', () => {
    assert.throws(
      refused('profiles: {}\nselect:\n  anonymous: nobody\n'),
      /select\.anonymous: no profile named "nobody"/,
    );
  });
  it('measure mode only for the protections that can measure', () => {
    assert.throws(refused('profiles:\n  p: { measure: [csrf] }\n'), /profiles\.p\.measure\.0/);
  });
  it('a trusted-documents mode needs the manifest', () => {
    assert.throws(refused('profiles:\n  p: { trustedDocuments: require }\n'), /TRUSTED_DOCUMENTS_MANIFEST/);
  });
  it('JSON is read as well as YAML; a file that is neither is refused', () => {
    const json = profilesFile(JSON.stringify({ profiles: { p: { depth: 3 } } }), 'ok.json');
    assert.equal(
      parseConfig({ NODE_ENV: 'test', PROFILES_FILE: json }).profiles.set.profiles.get('p')?.limits.depth,
      3,
    );
    assert.throws(refused('{ not json', 'bad.json'), /PROFILES_FILE: .*bad\.json/);
    assert.throws(
      () => parseConfig({ NODE_ENV: 'test', PROFILES_FILE: join(dir, 'missing.yaml') }),
      /PROFILES_FILE: .*missing\.yaml/,
    );
  });
});
