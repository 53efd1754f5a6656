import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import { ConfigError, parseConfig } from '../../src/config.js';
import { runMain } from '../helpers/process.js';

// TRUST_PROXY decides whose X-Forwarded-For names the client, hence every address-keyed limit:
// trusting everyone lets each client pick its own address. CLIENT_IPV6_PREFIX groups IPv6 clients.

const PROD = {
  NODE_ENV: 'production',
  JWT_SECRET: 'x'.repeat(40),
  PASSWORD_RESET_URL: 'https://app.example.com/reset-password',
  EMAIL_VERIFY_URL: 'https://app.example.com/verify-email',
  SMTP_URL: 'smtp://127.0.0.1:2525',
} as const;

function refused(env: Record<string, string>, message: RegExp): void {
  assert.throws(
    () => parseConfig(env),
    (e: unknown) => e instanceof ConfigError && message.test(e.message),
  );
}

describe('TRUST_PROXY', () => {
  it('attack: true (trust every proxy) is refused in production, naming the variable', () => {
    refused(
      { ...PROD, TRUST_PROXY: 'true' },
      /TRUST_PROXY: trusting every proxy .* is refused in production/,
    );
    // …and so is its spelling as a subnet of every address.
    refused({ ...PROD, TRUST_PROXY: 'loopback,0.0.0.0/0' }, /TRUST_PROXY: trusting every proxy/);
    refused({ ...PROD, TRUST_PROXY: '::/0' }, /TRUST_PROXY: trusting every proxy/);
  });

  it('attack: the real process refuses to start in production with TRUST_PROXY=true', async () => {
    const run = runMain({ ...PROD, TRUST_PROXY: 'true', DATA_DIR: '/nonexistent-never-created' });
    // A process that starts instead of refusing is stopped, and fails the test, rather than hanging it.
    const started = setTimeout(() => run.child.kill('SIGKILL'), 30_000);
    try {
      assert.equal(await run.exited, 1, run.output());
    } finally {
      clearTimeout(started);
    }
    assert.match(run.output(), /Invalid configuration:[\s\S]*TRUST_PROXY: trusting every proxy/);
  });

  it('legitimate: true is accepted in development and test (a local proxy, tests)', () => {
    assert.equal(parseConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(parseConfig({ NODE_ENV: 'test', TRUST_PROXY: 'true' }).trustProxy, true);
  });

  it('legitimate: false, a hop count, names and addresses/CIDRs are accepted in production', () => {
    const cases: [string, unknown][] = [
      ['false', false],
      ['0', false],
      ['1', 1],
      ['2', 2],
      ['loopback', ['loopback']],
      ['loopback, linklocal,uniquelocal', ['loopback', 'linklocal', 'uniquelocal']],
      ['10.0.0.0/8,192.0.2.7', ['10.0.0.0/8', '192.0.2.7']],
      ['2001:db8::/32, ::1, fe80::1%eth0', ['2001:db8::/32', '::1', 'fe80::1%eth0']],
      ['::ffff:10.0.0.0/104', ['::ffff:10.0.0.0/104']],
    ];
    for (const [value, expected] of cases) {
      const trust = parseConfig({ ...PROD, TRUST_PROXY: value }).trustProxy;
      assert.deepEqual(trust, expected, value);
      // Express takes every accepted value as it is.
      assert.doesNotThrow(() => express().set('trust proxy', trust), value);
    }
  });

  it('attack: a bad address, CIDR or name is refused at start-up, not trusted or ignored', () => {
    for (const value of [
      '10.0.0.0/33',
      '2001:db8::/129',
      '10.0.0.0/8,10.0.0.300',
      '10.0.0.0/',
      '10.0.0.0/x',
      '10.0.0.0/255.0.0.0',
      'Loopback',
      'proxy.example.com',
      '10.0.0.1,,10.0.0.2',
      'yes',
      '17',
    ]) {
      refused({ TRUST_PROXY: value }, /TRUST_PROXY: /);
    }
  });
});

describe('CLIENT_IPV6_PREFIX', () => {
  it('defaults to 64, accepts 32..128, refuses the rest naming the variable', () => {
    assert.equal(parseConfig({}).clientIpv6Prefix, 64);
    assert.equal(parseConfig({ CLIENT_IPV6_PREFIX: '48' }).clientIpv6Prefix, 48);
    assert.equal(parseConfig({ CLIENT_IPV6_PREFIX: '128' }).clientIpv6Prefix, 128);
    for (const bad of ['16', '129', '64.5', 'sixty-four']) {
      refused({ CLIENT_IPV6_PREFIX: bad }, /CLIENT_IPV6_PREFIX/);
    }
  });
});
