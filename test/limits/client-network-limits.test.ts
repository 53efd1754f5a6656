import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from '../helpers/app.js';
import { codeOf, type GqlResponse } from '../helpers/graphql.js';
import { fromIp, randomIp, TRUSTING_PROXY } from '../helpers/network.js';
import { securityEvents } from '../helpers/security-events.js';
import { createApiKey, insertUser } from '../helpers/users.js';

// The HTTP per-client limit charges the account for signed-in requests and the client network
// (IPv4 address or IPv6 /64) for anonymous ones; bad credentials spend a per-network bucket.

const HEALTH = '{ health }';
const REQUEST_RESET = 'mutation($email: String!) { requestPasswordReset(email: $email) }';
const resetFor = () => ({ email: `someone-${randomBytes(4).toString('hex')}@example.com` });

/** A random /64 of the documentation range, as `2001:db8:xxxx:yyyy:`. */
const randomV6Net = () => {
  const b = randomBytes(4).toString('hex');
  return `2001:db8:${b.slice(0, 4)}:${b.slice(4)}:`;
};

const remainingOf = (res: GqlResponse) => res.headers.get('ratelimit-remaining');

function assert429(res: GqlResponse, what: string) {
  assert.equal(res.status, 429, `${what}: ${res.text}`);
  assert.equal(codeOf(res), 'RATE_LIMITED', what);
  const retryAfter = res.body.errors?.[0]?.extensions?.retryAfter as number;
  assert.ok(retryAfter >= 1 && retryAfter <= 60, what);
  assert.equal(res.headers.get('retry-after'), String(retryAfter), what);
}

describe('HTTP limit: per account when signed in, per network when anonymous (HTTP_RATE_LIMIT=5)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ env: { ...TRUSTING_PROXY, HTTP_RATE_LIMIT: '5', HTTP_RATE_WINDOW_SECONDS: '60' } });
  });
  after(async () => {
    await t?.stop();
  });

  it('two users behind one address keep separate limits; anonymous traffic there is one network', async () => {
    const ip = randomIp();
    const [alice, bob] = await Promise.all([insertUser(t, { ip }), insertUser(t, { ip })]);
    for (let i = 0; i < 5; i++) {
      const res = await t.gql(HEALTH, undefined, alice.headers);
      assert.equal(res.status, 200, res.text);
      assert.equal(remainingOf(res), String(4 - i));
    }
    assert429(await t.gql(HEALTH, undefined, alice.headers), 'alice, 6th');
    // Bob, same address: his own limit, untouched by Alice's.
    const bobs = await t.gql(HEALTH, undefined, bob.headers);
    assert.equal(bobs.status, 200, bobs.text);
    assert.equal(remainingOf(bobs), '4');
    // Anonymous requests from that address: one bucket for the network, not Alice's nor Bob's.
    for (let i = 0; i < 5; i++) {
      const res = await t.gql(HEALTH, undefined, fromIp(ip));
      assert.equal(res.status, 200, res.text);
      assert.equal(remainingOf(res), String(4 - i));
    }
    assert429(await t.gql(HEALTH, undefined, fromIp(ip)), 'anonymous, 6th from the network');
    assert.equal((await t.gql(HEALTH, undefined, bob.headers)).status, 200, 'Bob is still served');
  });

  it('attack: an API key is charged to its owner’s account, from any address', async () => {
    const owner = await insertUser(t, { ip: randomIp() });
    const key = await createApiKey(t, owner, ['PRODUCTS_READ']); // the 1st request of the owner
    for (let i = 0; i < 4; i++) {
      const res = await t.gql(HEALTH, undefined, { ...key.headers, ...fromIp(randomIp()) });
      assert.equal(res.status, 200, res.text);
    }
    assert429(await t.gql(HEALTH, undefined, { ...key.headers, ...fromIp(randomIp()) }), 'key, 6th');
    assert429(await t.gql(HEALTH, undefined, owner.headers), 'the owner’s token shares it');
  });

  it('attack: bad credentials spend a per-network bucket: 401 × 5, then 429 before any check', async () => {
    const ip = randomIp();
    const bad = { authorization: 'Bearer aaaa.bbbb.cccc', ...fromIp(ip) };
    for (let i = 0; i < 5; i++) {
      const res = await t.gql(HEALTH, undefined, bad);
      assert.equal(res.status, 401, res.text);
      assert.equal(codeOf(res), 'UNAUTHENTICATED');
    }
    assert429(await t.gql(HEALTH, undefined, bad), 'bad token, 6th');
    assert429(
      await t.gql(HEALTH, undefined, { 'x-api-key': 'sgql_made_up_key', ...fromIp(ip) }),
      'a made-up API key from that network',
    );
    assert.ok(
      securityEvents(t, 'limit_hit').some((l) => l.code === 'RATE_LIMITED' && l.status === 429),
      'the 429 is a limit_hit security event',
    );
    // Anonymous requests from that network, and credentials from another, are unaffected.
    assert.equal((await t.gql(HEALTH, undefined, fromIp(ip))).status, 200);
    const elsewhere = await insertUser(t, { ip: randomIp() });
    assert.equal((await t.gql(HEALTH, undefined, elsewhere.headers)).status, 200);
  });

  it('IPv6: addresses of one /64 are one anonymous client, another /64 is another', async () => {
    const net = randomV6Net();
    for (let i = 0; i < 5; i++) {
      const res = await t.gql(HEALTH, undefined, fromIp(`${net}:${i + 1}`));
      assert.equal(res.status, 200, res.text);
    }
    assert429(await t.gql(HEALTH, undefined, fromIp(`${net}abcd:ef01:2345:6789`)), 'same /64, 6th address');
    assert.equal((await t.gql(HEALTH, undefined, fromIp(`${randomV6Net()}:1`))).status, 200, 'another /64');
  });

  it('an IPv4-mapped IPv6 address is its IPv4 address', async () => {
    const ip = randomIp();
    for (let i = 0; i < 5; i++) {
      const res = await t.gql(HEALTH, undefined, fromIp(i % 2 === 0 ? ip : `::ffff:${ip}`));
      assert.equal(res.status, 200, res.text);
    }
    assert429(await t.gql(HEALTH, undefined, fromIp(`::ffff:${ip}`)), 'mapped, 6th');
    assert429(await t.gql(HEALTH, undefined, fromIp(ip)), 'plain, 7th');
  });
});

/** Anonymous @rateLimit and cost budget across IPv6 addresses, with CLIENT_IPV6_PREFIX = prefix. */
function ipv6Suite(prefix: '64' | '128') {
  describe(`IPv6 grouping through a trusted proxy (TRUST_PROXY=loopback, CLIENT_IPV6_PREFIX=${prefix})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startApp({
        env: { TRUST_PROXY: 'loopback', CLIENT_IPV6_PREFIX: prefix, HTTP_RATE_LIMIT: '100000' },
      });
    });
    after(async () => {
      await t?.stop();
    });

    it(
      prefix === '64'
        ? 'attack: new addresses in one /64 share the anonymous requestPasswordReset limit (3 per hour)'
        : 'every address is its own network at /128',
      async () => {
        const net = randomV6Net();
        for (let i = 0; i < 3; i++) {
          const res = await t.gql(REQUEST_RESET, resetFor(), fromIp(`${net}:${i + 1}`));
          assert.deepEqual(res.body.data, { requestPasswordReset: true }, res.text);
        }
        const sameNet = await t.gql(REQUEST_RESET, resetFor(), fromIp(`${net}ffff::4`));
        if (prefix === '64') {
          assert.equal(codeOf(sameNet), 'RATE_LIMITED', sameNet.text);
        } else {
          assert.deepEqual(sameNet.body.data, { requestPasswordReset: true }, sameNet.text);
        }
        // Another /64 is always another client.
        const other = await t.gql(REQUEST_RESET, resetFor(), fromIp(`${randomV6Net()}:1`));
        assert.deepEqual(other.body.data, { requestPasswordReset: true }, other.text);
      },
    );

    it(`the anonymous cost budget is ${prefix === '64' ? 'one per /64' : 'one per address'}`, async () => {
      const net = randomV6Net();
      const first = await t.gql('{ products(first: 5) { totalCount } }', undefined, fromIp(`${net}:1`));
      const second = await t.gql('{ products(first: 5) { totalCount } }', undefined, fromIp(`${net}:2`));
      const remaining = (res: GqlResponse) => (res.body.extensions?.cost as { remaining: number }).remaining;
      const limit = (first.body.extensions?.cost as { limit: number }).limit;
      assert.equal(remaining(first), limit - 2);
      assert.equal(remaining(second), prefix === '64' ? limit - 4 : limit - 2);
    });
  });
}
ipv6Suite('64');
ipv6Suite('128');
