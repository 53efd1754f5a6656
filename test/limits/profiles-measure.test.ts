import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildManifest } from '../../scripts/trusted-documents.js';
import { startApp, type TestApp } from '../helpers/app.js';
import type { GqlResponse } from '../helpers/graphql.js';
import { profilesFile, tightForAnonymous } from '../helpers/profiles.js';
import { securityEvents } from '../helpers/security-events.js';

// Measure mode: for every protection that can measure, the same requests go to two servers whose
// anonymous callers both get a profile named `tight`: on one it sets a low value and only measures
// it, on the other it leaves that protection at the environment's values (the protection "off"
// for these requests). The measured server serves the request the value would refuse; its answer
// is byte for byte the other server's (with `resetAt`, a wall-clock time, blanked), and it writes
// one `would_refuse` event, also counted in the metrics; the other writes none.

const OPERATIONS = 'examples/client/operations';
const manifestFile = profilesFile(
  JSON.stringify(
    buildManifest(
      readdirSync(OPERATIONS)
        .filter((f) => f.endsWith('.graphql'))
        .sort()
        .map((f) => readFileSync(join(OPERATIONS, f), 'utf8')),
    ),
  ),
  'manifest.json',
);

const PRODUCTS = (first: number) => `{ products(first: ${first}) { edges { node { id name } } } }`;

interface Case {
  protection: string;
  yaml: string;
  query: string;
  times?: number;
  products?: number;
  /** The code the protection would have answered. */
  code: string;
}

const CASES: Case[] = [
  { protection: 'documentLimits', yaml: 'depth: 2', query: PRODUCTS(1), code: 'GRAPHQL_VALIDATION_FAILED' },
  {
    protection: 'introspection',
    yaml: 'introspection: false',
    query: '{ __schema { queryType { name } } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    protection: 'cost',
    yaml: 'cost: 3',
    query: PRODUCTS(10),
    code: 'GRAPHQL_VALIDATION_FAILED',
    products: 3,
  },
  {
    protection: 'cost',
    yaml: 'budgetPerHour: 25',
    query: PRODUCTS(10),
    times: 2,
    code: 'RATE_LIMITED',
    products: 10,
  },
  { protection: 'clientLimit', yaml: 'httpRate: 2', query: '{ __typename }', times: 3, code: 'RATE_LIMITED' },
  {
    protection: 'rateLimit',
    yaml: 'rateLimit: { multiplier: 0.1 }',
    query: '{ estimateCost(query: "{ __typename }") { requested } }',
    times: 4,
    code: 'RATE_LIMITED',
  },
  {
    protection: 'responseGuards',
    yaml: 'responseItems: 2',
    query: PRODUCTS(5),
    products: 5,
    code: 'RESPONSE_TOO_LARGE',
  },
  {
    protection: 'trustedDocuments',
    yaml: 'trustedDocuments: require',
    query: '{ __typename }',
    code: 'BAD_USER_INPUT',
  },
];

/** The answer as bytes, with `resetAt` (a wall-clock time) blanked. */
function comparable(res: GqlResponse): string {
  const body = JSON.parse(res.text) as { extensions?: { cost?: Record<string, unknown> } };
  if (body.extensions?.cost) body.extensions.cost.resetAt = '(time)';
  return `${res.status} ${JSON.stringify(body)}`;
}

/** Products with the same ids and times on both servers, so their answers can match byte for byte. */
async function createSameProducts(t: TestApp, count: number): Promise<void> {
  await t.app.db.query(
    `INSERT INTO products (id, name, description, price_cents, created_at)
     SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'Product ' || i, 'desc', 100 + i,
            timestamptz '2026-01-01' + i * interval '1 minute'
       FROM generate_series(1, $1::int) AS i`,
    [count],
  );
}

async function run(t: TestApp, c: Case): Promise<GqlResponse> {
  if (c.products) await createSameProducts(t, c.products);
  let res: GqlResponse | undefined;
  for (let i = 0; i < (c.times ?? 1); i++) res = await t.gql(c.query);
  return res as GqlResponse;
}

const counted = async (t: TestApp, protection: string) => {
  const text = await (await fetch(`${t.app.metricsUrl() ?? ''}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('security_events_total{') &&
        l.includes('event="would_refuse"') &&
        l.includes(`protection="${protection}"`),
    );
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('measure mode: served unchanged, logged and counted', () => {
  for (const c of CASES) {
    it(`${c.protection} (${c.yaml}): the answer of the protection off, and one would_refuse event`, async () => {
      const env = { TRUSTED_DOCUMENTS_MANIFEST: manifestFile, METRICS_PORT: '0' };
      const measured = await startApp({
        env: {
          ...env,
          PROFILES_FILE: profilesFile(tightForAnonymous(`${c.yaml}\nmeasure: [${c.protection}]`)),
        },
      });
      const off = await startApp({
        env: { ...env, PROFILES_FILE: profilesFile(tightForAnonymous('measure: []')) },
      });
      try {
        const [a, b] = [await run(measured, c), await run(off, c)];
        assert.equal(a.status, 200, a.text);
        assert.equal(a.body.errors, undefined, a.text);
        assert.equal(comparable(a), comparable(b));

        const events = securityEvents(measured, 'would_refuse');
        assert.equal(events.length, 1, JSON.stringify(events));
        assert.equal(events[0]?.protection, c.protection);
        assert.equal(events[0]?.code, c.code);
        assert.equal(events[0]?.profile, 'tight');
        assert.equal(await counted(measured, c.protection), 1);
        // No refusal was logged for the measured request, and the other server measured nothing.
        assert.deepEqual(
          measured.logs.filter((l) => l.security === true && l.event !== 'would_refuse'),
          [],
        );
        assert.equal(securityEvents(off, 'would_refuse').length, 0);
      } finally {
        await Promise.all([measured.stop(), off.stop()]);
      }
    });
  }

  it('a counted limit in measure mode is counted against the ceiling, which still refuses', async () => {
    const t = await startApp({
      env: {
        HTTP_RATE_LIMIT: '4',
        PROFILES_FILE: profilesFile(tightForAnonymous('httpRate: 2\nmeasure: [clientLimit]')),
      },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await t.gql('{ __typename }')).status);
      // 1-2 within the profile's 2; 3-4 past it, served and logged; the 5th past the ceiling (4).
      assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
      assert.equal(securityEvents(t, 'would_refuse').length, 2);
      assert.equal(securityEvents(t, 'limit_hit').length, 1);
    } finally {
      await t.stop();
    }
  });

  it('measure mode never lifts the ceiling: past the environment value the request is refused', async () => {
    const t = await startApp({
      env: {
        MAX_DEPTH: '4',
        PROFILES_FILE: profilesFile(tightForAnonymous('depth: 2\nmeasure: [documentLimits]')),
      },
    });
    try {
      const res = await t.gql(
        '{ products(first: 1) { edges { node { reviews(first: 1) { edges { node { id } } } } } } }',
      );
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      assert.equal(securityEvents(t, 'would_refuse').length, 0);
    } finally {
      await t.stop();
    }
  });
});
