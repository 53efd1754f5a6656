import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientNetwork, UNKNOWN_NETWORK } from '../../src/security/client-network.js';

// The client network every address-keyed limit uses: IPv4 as is, IPv6 by its /N prefix, in one
// canonical spelling, so no spelling of an address is a fresh bucket.
describe('clientNetwork', () => {
  it('an IPv4 address is its own network', () => {
    assert.equal(clientNetwork('203.0.113.7', 64), '203.0.113.7');
    assert.equal(clientNetwork('10.0.0.1', 128), '10.0.0.1');
  });

  it('an IPv4-mapped IPv6 address counts as its IPv4, in either spelling', () => {
    assert.equal(clientNetwork('::ffff:203.0.113.7', 64), '203.0.113.7');
    assert.equal(clientNetwork('::FFFF:cb00:7107', 64), '203.0.113.7');
    assert.equal(clientNetwork('0:0:0:0:0:ffff:203.0.113.7', 128), '203.0.113.7');
  });

  it('an IPv6 address is its /64 by default: every address of one /64 is one network', () => {
    const net = '2001:db8:1:2::/64';
    assert.equal(clientNetwork('2001:db8:1:2::1', 64), net);
    assert.equal(clientNetwork('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 64), net);
    assert.equal(clientNetwork('2001:db8:1:3::1', 64), '2001:db8:1:3::/64', 'another /64');
  });

  it('compressed, expanded, zero-padded and upper-case spellings are one network', () => {
    const spellings = [
      '2001:db8::1',
      '2001:0db8:0000:0000:0000:0000:0000:0001',
      '2001:DB8:0:0:0:0:0:1',
      '2001:db8:0::0:1',
    ];
    for (const address of spellings) {
      assert.equal(clientNetwork(address, 64), '2001:db8::/64', address);
      assert.equal(clientNetwork(address, 128), '2001:db8::1/128', address);
    }
  });

  it('a zone id is dropped (it names the local interface, not the client)', () => {
    assert.equal(clientNetwork('fe80::1%eth0', 64), 'fe80::/64');
    assert.equal(clientNetwork('fe80::1%2', 128), clientNetwork('fe80::1', 128));
  });

  it('the prefix length is honoured, bits inside a byte included', () => {
    assert.equal(clientNetwork('2001:db8:abcd:ef12::1', 48), '2001:db8:abcd::/48');
    assert.equal(clientNetwork('2001:db8:abcd:ef12::1', 56), '2001:db8:abcd:ef00::/56');
    assert.equal(clientNetwork('2001:db8:abcd:ef12::1', 60), '2001:db8:abcd:ef10::/60');
    assert.equal(clientNetwork('2001:db8:abcd:ef12::1', 32), '2001:db8::/32');
  });

  it('anything that is not an IP address is one shared "unknown" network, never a key of its own', () => {
    for (const bad of [
      undefined,
      '',
      'garbage',
      '1',
      '0x7f.0.0.1',
      '010.0.0.1',
      '1.2.3.4.5',
      '256.1.1.1',
      '2001:db8::1/64',
      '[2001:db8::1]',
      '2001:db8::1:80:x',
      ' 10.0.0.1',
    ]) {
      assert.equal(clientNetwork(bad, 64), UNKNOWN_NETWORK, String(bad));
    }
  });
});
