import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config.js';
import { corsOrigins } from '../../src/security/http/cors.js';
import { batchSizeInForce } from '../../src/security/http/batch-limit.js';
import { runMain } from '../helpers/process.js';

const STRONG = 'x'.repeat(40);
const RESET = 'https://app.example.com/reset-password';
const VERIFY = 'https://app.example.com/verify-email';
const SMTP = 'smtps://mailer:pw@smtp.example.com:465';
/** A production environment that starts: a strong secret, https link pages and a mail transport. */
const PROD = {
  NODE_ENV: 'production',
  JWT_SECRET: STRONG,
  PASSWORD_RESET_URL: RESET,
  EMAIL_VERIFY_URL: VERIFY,
  SMTP_URL: SMTP,
} as const;

function refused(env: Record<string, string>, message: RegExp): void {
  assert.throws(
    () => parseConfig(env),
    (e: unknown) => e instanceof ConfigError && message.test(e.message),
  );
}

describe('configuration', () => {
  it('has safe defaults for development', () => {
    const c = parseConfig({});
    assert.equal(c.nodeEnv, 'development');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 4000);
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.dataDir, './data');
    assert.deepEqual(corsOrigins(c.protections.cors.CORS_ORIGINS, c.isProduction), ['http://localhost:3000']);
    assert.equal(c.trustProxy, false);
    assert.equal(c.seedDemoData, true);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.protections.cost));
  });

  it('turns production guards on', () => {
    const c = parseConfig({
      ...PROD,
      MAX_BATCH_SIZE: '5',
      SEED_DEMO_DATA: 'true',
    });
    assert.equal(c.isProduction, true);
    assert.deepEqual(corsOrigins(c.protections.cors.CORS_ORIGINS, c.isProduction), []);
    assert.equal(c.seedDemoData, false, 'production never seeds');
    assert.equal(
      batchSizeInForce(c.protections.batchLimit.MAX_BATCH_SIZE, c.isProduction),
      0,
      'batching is off in production',
    );
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['a non-numeric PORT', { PORT: 'abc' }, /PORT/],
    ['an out-of-range PORT', { PORT: '70000' }, /PORT/],
    ['a non-postgres DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    ['a non-redis REDIS_URL', { REDIS_URL: 'http://x' }, /REDIS_URL/],
    [
      'a missing JWT_SECRET in production',
      { NODE_ENV: 'production' },
      /JWT_SECRET: is required in production/,
    ],
    ['a short JWT_SECRET in production', { NODE_ENV: 'production', JWT_SECRET: 'short' }, /JWT_SECRET/],
    [
      'the example JWT_SECRET in production',
      { NODE_ENV: 'production', JWT_SECRET: 'replace-with-at-least-32-random-bytes-in-production' },
      /JWT_SECRET/,
    ],
    ['an unknown NODE_ENV', { NODE_ENV: 'staging' }, /NODE_ENV/],
    ['a bad boolean', { SEED_DEMO_DATA: 'maybe' }, /SEED_DEMO_DATA/],
  ];
  for (const [what, env, message] of bad) {
    it(`rejects ${what} with a message naming the variable`, () => {
      assert.throws(
        () => parseConfig(env),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }

  it('never echoes a secret value in its error', () => {
    assert.throws(
      () => parseConfig({ NODE_ENV: 'production', JWT_SECRET: 'my-short-secret' }),
      (e: unknown) => e instanceof Error && !e.message.includes('my-short-secret'),
    );
  });

  it('stops the real process with a clear message and a non-zero status', async () => {
    const run = runMain({ PORT: 'not-a-port', DATA_DIR: '/nonexistent-never-created' });
    const code = await run.exited;
    assert.equal(code, 1);
    assert.match(run.output(), /Invalid configuration:\n\s+PORT: /);
  });

  it('refuses to start in production without a JWT secret', async () => {
    const run = runMain({ NODE_ENV: 'production' });
    assert.equal(await run.exited, 1);
    assert.match(run.output(), /JWT_SECRET: is required in production/);
  });

  it('development listens on loopback only, unless DEV_ALLOW_NETWORK=true', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) {
      assert.equal(parseConfig({ HOST: host }).host, host);
    }
    for (const host of ['0.0.0.0', '::', '192.0.2.10', 'api.example.com']) {
      assert.throws(
        () => parseConfig({ HOST: host }),
        (e: unknown) => e instanceof ConfigError && /HOST/.test(e.message),
      );
      assert.equal(parseConfig({ HOST: host, DEV_ALLOW_NETWORK: 'true' }).host, host);
    }
    // Production and test are not development: their guards are their own.
    assert.equal(parseConfig({ ...PROD, HOST: '0.0.0.0' }).host, '0.0.0.0');
  });

  it('a PostgreSQL statement timeout is on by default and bounded', () => {
    assert.equal(parseConfig({}).databaseStatementTimeoutMs, 5000);
    assert.equal(parseConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '250' }).databaseStatementTimeoutMs, 250);
    assert.throws(() => parseConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '0' }), /DATABASE_STATEMENT_TIMEOUT_MS/);
  });
  describe('production refuses plain-http URLs', () => {
    const oidc = { OIDC_ISSUER: 'https://issuer.example.com/', OIDC_AUDIENCE: 'my-api' };
    const cases: [string, Record<string, string>][] = [
      ['OIDC_ISSUER', { ...oidc, OIDC_ISSUER: 'http://issuer.example.com/' }],
      ['OIDC_JWKS_URL', { ...oidc, OIDC_JWKS_URL: 'http://issuer.example.com/.well-known/jwks.json' }],
      ['PASSWORD_RESET_URL', { PASSWORD_RESET_URL: 'http://app.example.com/reset-password' }],
      ['EMAIL_VERIFY_URL', { EMAIL_VERIFY_URL: 'http://app.example.com/verify-email' }],
    ];
    for (const [name, env] of cases) {
      it(`attack: an http:// ${name} is refused in production, naming the variable`, () => {
        refused({ ...PROD, ...env }, new RegExp(`${name}: must be an https:// URL in production`));
      });
    }

    it('attack: production without PASSWORD_RESET_URL is refused (the default is http://localhost)', () => {
      refused(
        { NODE_ENV: 'production', JWT_SECRET: STRONG },
        /PASSWORD_RESET_URL: must be an https:\/\/ URL/,
      );
    });

    it('attack: production without EMAIL_VERIFY_URL is refused (the default is http://localhost)', () => {
      const { EMAIL_VERIFY_URL: _omitted, ...withoutVerify } = PROD;
      refused(withoutVerify, /EMAIL_VERIFY_URL: must be an https:\/\/ URL/);
    });

    it('legitimate: https URLs are accepted in production', () => {
      const c = parseConfig({
        ...PROD,
        ...oidc,
        OIDC_JWKS_URL: 'https://issuer.example.com/.well-known/jwks.json',
      });
      assert.equal(c.identity.passwordResetUrl, RESET);
      assert.equal(c.identity.emailVerifyUrl, VERIFY);
      assert.deepEqual(c.oidc, {
        issuer: 'https://issuer.example.com/',
        audience: 'my-api',
        jwksUrl: 'https://issuer.example.com/.well-known/jwks.json',
      });
    });

    it('legitimate: development still accepts http://localhost', () => {
      const c = parseConfig({
        OIDC_ISSUER: 'http://localhost:8080/realms/dev',
        OIDC_AUDIENCE: 'my-api',
        OIDC_JWKS_URL: 'http://localhost:8080/realms/dev/certs',
      });
      assert.equal(c.identity.passwordResetUrl, 'http://localhost:3000/reset-password');
      assert.equal(c.oidc?.issuer, 'http://localhost:8080/realms/dev');
      assert.equal(c.oidc?.jwksUrl, 'http://localhost:8080/realms/dev/certs');
    });
  });

  describe('mail: SMTP_URL and MAIL_FROM', () => {
    it('attack: production without SMTP_URL is refused, naming it (links would reach nobody)', () => {
      const { SMTP_URL: _omitted, ...withoutSmtp } = PROD;
      refused(withoutSmtp, /SMTP_URL: is required in production/);
    });

    it('outside production SMTP_URL is optional (mail goes to the log), MAIL_FROM has a default', () => {
      for (const env of [{}, { NODE_ENV: 'test' }]) {
        assert.deepEqual(parseConfig(env).mail, { smtpUrl: undefined, from: 'no-reply@localhost' });
      }
      const c = parseConfig({ ...PROD, MAIL_FROM: 'shop@example.com' });
      assert.deepEqual(c.mail, { smtpUrl: SMTP, from: 'shop@example.com' });
    });

    it('attack: a non-SMTP URL or a MAIL_FROM that is not a bare address is refused without echoing it', () => {
      for (const url of ['http://smtp.example.com', 'smtp:/x', 'file:///etc/passwd']) {
        assert.throws(
          () => parseConfig({ SMTP_URL: url }),
          (e: unknown) =>
            e instanceof ConfigError && /SMTP_URL: an smtp/.test(e.message) && !e.message.includes(url),
        );
      }
      for (const from of [
        'not-an-address',
        'a@b\r\nBcc: victim@example.com',
        'Shop <shop@example.com>',
        'a b@c.d',
      ]) {
        refused({ MAIL_FROM: from }, /MAIL_FROM: an email address/);
      }
    });

    it('refuses to start in production without SMTP_URL, naming it', async () => {
      const { SMTP_URL: _omitted, ...withoutSmtp } = PROD;
      const run = runMain({ ...withoutSmtp, DATA_DIR: '/nonexistent-never-created' });
      assert.equal(await run.exited, 1);
      assert.match(run.output(), /Invalid configuration:[\s\S]*SMTP_URL: is required in production/);
    });
  });

  describe('every HS256 secret passes the same checks, previous ones included', () => {
    for (const [what, previous] of [
      ['an example value', 'changeme'],
      ['a short secret', 'short-previous-secret'],
      ['one weak entry among strong ones', `${'y'.repeat(40)},changeme`],
    ] as const) {
      it(`attack: JWT_PREVIOUS_SECRETS with ${what} is refused, named without echoing the value`, () => {
        assert.throws(
          () => parseConfig({ ...PROD, JWT_PREVIOUS_SECRETS: previous }),
          (e: unknown) =>
            e instanceof ConfigError &&
            /JWT_PREVIOUS_SECRETS: every entry must be at least 32 bytes/.test(e.message) &&
            !e.message.includes('changeme') &&
            !e.message.includes('short-previous-secret'),
        );
      });
    }

    it('legitimate: strong previous secrets are accepted', () => {
      const previous = ['y'.repeat(40), 'z'.repeat(32)];
      const c = parseConfig({ ...PROD, JWT_PREVIOUS_SECRETS: previous.join(',') });
      assert.deepEqual(c.jwt.previousSecrets, previous);
    });

    // The same weak values, refused the same way whether current or previous.
    for (const weak of [
      'changeme',
      'secret',
      'short-but-not-32-bytes',
      'replace-with-at-least-32-random-bytes-in-production', // long enough, but published
    ]) {
      it(`attack: "${weak.slice(0, 12)}…" is refused as JWT_SECRET and as a previous secret alike`, () => {
        refused(
          { ...PROD, JWT_SECRET: weak },
          /JWT_SECRET: must be at least 32 bytes and not an example value/,
        );
        refused(
          { ...PROD, JWT_PREVIOUS_SECRETS: `${'y'.repeat(40)},${weak}` },
          /JWT_PREVIOUS_SECRETS: every entry must be at least 32 bytes and not an example value/,
        );
      });
    }

    it('attack: a short previous secret is refused outside production too, like a short JWT_SECRET', () => {
      for (const env of [{ NODE_ENV: 'development' }, { NODE_ENV: 'test' }]) {
        refused({ ...env, JWT_SECRET: 'short' }, /JWT_SECRET: must be at least 32 bytes/);
        refused(
          { ...env, JWT_PREVIOUS_SECRETS: 'short' },
          /JWT_PREVIOUS_SECRETS: every entry must be at least 32 bytes/,
        );
      }
    });

    it('attack: more than 3 previous secrets are refused (every one is tried on each token)', () => {
      const four = ['a', 'b', 'c', 'd'].map((c) => c.repeat(40)).join(',');
      for (const env of [PROD, { NODE_ENV: 'test' }]) {
        refused({ ...env, JWT_PREVIOUS_SECRETS: four }, /JWT_PREVIOUS_SECRETS: at most 3 entries/);
      }
      const three = ['a', 'b', 'c'].map((c) => c.repeat(40));
      assert.deepEqual(
        parseConfig({ ...PROD, JWT_PREVIOUS_SECRETS: three.join(',') }).jwt.previousSecrets,
        three,
      );
    });

    it('refuses to start with more than 3 previous secrets, naming the variable', async () => {
      const four = ['a', 'b', 'c', 'd'].map((c) => c.repeat(40)).join(',');
      const run = runMain({ ...PROD, JWT_PREVIOUS_SECRETS: four, DATA_DIR: '/nonexistent-never-created' });
      assert.equal(await run.exited, 1);
      assert.match(run.output(), /Invalid configuration:[\s\S]*JWT_PREVIOUS_SECRETS: at most 3 entries/);
      assert.doesNotMatch(run.output(), /aaaa/, 'the secrets are never echoed');
    });
  });
});
