import { existsSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { bool, csv, int } from './security/options.js';
import type { ProtectionOptions } from './security/protect.js';
import type { TrustProxy } from './security/protection.js';
import { PROTECTIONS } from './security/protections.js';
import {
  buildProfileSet,
  readProfilesFile,
  type ProfileSet,
  type ServerDefaults,
} from './security/profiles.js';

// The only module that reads process.env. Everything is parsed once, validated, and frozen;
// a bad value stops the process with the variable's name and what was expected.

// Placeholders that must never sign production tokens.
const EXAMPLE_SECRETS = new Set([
  'change-me',
  'changeme',
  'secret',
  'replace-with-at-least-32-random-bytes-in-production',
]);
/** An HS256 secret production refuses: short, or a published placeholder. */
const weakSecret = (secret: string) => Buffer.byteLength(secret) < 32 || EXAMPLE_SECRETS.has(secret);
/**
 * Every previous secret is one more key that verifies (each is tried in turn, tokens carry no kid).
 * Access tokens live 15 minutes, so a secret retired longer ago than that only widens the target.
 */
const MAX_PREVIOUS_SECRETS = 3;

/** local@domain: no spaces, angle brackets or line breaks (it becomes a mail header). */
const MAIL_ADDRESS =
  /^[^\s@<>()",;:\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** The variables of the app itself; each protection declares its own (security/protections.ts). */
const core = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Development mode listens on loopback only unless this says otherwise (demo accounts, Sandbox). */
    DEV_ALLOW_NETWORK: bool.default(false),
    PORT: int(0, 65535).default(4000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL')
      .optional(),
    /** Tests isolate themselves in their own PostgreSQL schema on the shared server. */
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier')
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    /** PostgreSQL cancels any statement running longer than this (no runaway query holds a connection). */
    DATABASE_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(5000),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .optional(),
    /** Every Redis key starts with this, so several deployments or test runs can share one Redis. */
    REDIS_PREFIX: z.string().min(1).max(64).default('sgql:'),
    JWT_SECRET: z.string().optional(),
    /** Comma-separated previous HS256 secrets (at most 3) still accepted for verification (key rotation). */
    JWT_PREVIOUS_SECRETS: csv.optional(),
    JWT_ISSUER: z.string().min(1).default('secure-graphql-api'),
    JWT_AUDIENCE: z.string().min(1).default('secure-graphql-api'),
    /** Optional asymmetric signing: a PKCS#8 private key (PEM) and its algorithm. */
    JWT_PRIVATE_KEY: z.string().optional(),
    JWT_ALG: z.enum(['HS256', 'EdDSA', 'ES256']).default('HS256'),
    /**
     * Asymmetric key rotation: the public keys (PEM, one or more `-----BEGIN PUBLIC KEY-----`
     * blocks) of previous signing keys, still accepted and still published in the JWKS.
     */
    JWT_PREVIOUS_PUBLIC_KEYS: z
      .string()
      .regex(/-----BEGIN PUBLIC KEY-----/, 'one or more PEM public keys (-----BEGIN PUBLIC KEY-----)')
      .optional(),
    OIDC_ISSUER: z.string().url().optional(),
    OIDC_AUDIENCE: z.string().min(1).optional(),
    OIDC_JWKS_URL: z.string().url().optional(),
    /**
     * Login throttling (docs/authentication.md): failed logins before delays of 1 s, 2 s, 4 s …
     * (at most LOGIN_MAX_DELAY_SECONDS) between attempts, per account from one client network,
     * per client network over every account, and per account over every network.
     */
    LOGIN_PAIR_MAX_FAILURES: int(1, 1_000_000).default(5),
    LOGIN_IP_MAX_FAILURES: int(1, 1_000_000).default(100),
    LOGIN_ACCOUNT_MAX_FAILURES: int(1, 1_000_000).default(100),
    LOGIN_MAX_DELAY_SECONDS: int(1, 24 * 60 * 60).default(15 * 60),
    /**
     * Absolute lifetime of a refresh-session family (one login), in days: past it the refresh
     * is refused however recently the session was used (the sliding TTL is 7 days).
     */
    REFRESH_ABSOLUTE_DAYS: int(1, 365).default(30),
    /** The page where a user finishes a password reset; the mailed link is `<url>#token=…`. */
    PASSWORD_RESET_URL: z.string().url().default('http://localhost:3000/reset-password'),
    /** The page where a new user confirms their address; the mailed link is `<url>#token=…`. */
    EMAIL_VERIFY_URL: z.string().url().default('http://localhost:3000/verify-email'),
    /**
     * The mail transport (nodemailer), e.g. `smtps://user:pass@smtp.example.com`; required in
     * production. Unset outside production: each message is written to the log instead.
     */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/\S+$/, 'an smtp:// or smtps:// URL')
      .optional(),
    /** The sender of every mail: a bare address. */
    MAIL_FROM: z
      .string()
      .max(254)
      .regex(MAIL_ADDRESS, 'an email address (local@domain)')
      .default('no-reply@localhost'),
    /** How often API-key "last used" marks are written, in one batch. */
    API_KEY_USAGE_FLUSH_MS: int(100, 600_000).default(10_000),
    /**
     * Whose X-Forwarded-* headers count (Express's `trust proxy`): `false`, a hop count, or a
     * comma-separated list of addresses, CIDRs and Express's names (loopback, linklocal,
     * uniquelocal). `true` (trust everyone) is refused in production (see below).
     */
    TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),
    /** IPv6 clients are grouped by this prefix wherever a limit keys on the client network. */
    CLIENT_IPV6_PREFIX: int(32, 128).default(64),
    TLS_CERT: z.string().optional(),
    TLS_KEY: z.string().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Seed demo data on first start (development only; production never seeds). */
    SEED_DEMO_DATA: bool.optional(),
    /** Prometheus metrics on a listener of their own (docs/observability.md): off unless METRICS_PORT is set. */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    METRICS_PORT: int(0, 65535).optional(),
    /** When set, a scrape must send `Authorization: Bearer <METRICS_TOKEN>`. */
    METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
    /** OpenTelemetry tracing (OTLP over HTTP): off unless the endpoint is set. */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
    /** Extra headers for the OTLP exporter, `key=value,key2=value2` (the OTel format). */
    OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default('secure-graphql-api'),
    /** A resolver gets a span of its own only when it takes at least this long. */
    TRACE_RESOLVER_THRESHOLD_MS: int(0, 60_000).default(10),
    /** Client profiles (docs/profiles.md): a JSON or YAML file; unset, the environment's values are the one profile. */
    PROFILES_FILE: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    // Development seeds demo accounts with published passwords and serves the Sandbox: it is
    // for this machine only, unless explicitly allowed.
    if (env.NODE_ENV === 'development' && !env.DEV_ALLOW_NETWORK && !isLoopback(env.HOST)) {
      ctx.addIssue({
        code: 'custom',
        path: ['HOST'],
        message:
          'development mode listens on loopback only (127.0.0.1, ::1, localhost) unless DEV_ALLOW_NETWORK=true',
      });
    }
    const production = env.NODE_ENV === 'production';
    // Every HS256 secret verifies tokens, so a previous one forges them as well as the current one:
    // both pass the same checks (≥ 32 bytes everywhere; not a placeholder in production).
    const previousSecrets = env.JWT_PREVIOUS_SECRETS ?? [];
    if (previousSecrets.length > MAX_PREVIOUS_SECRETS) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_PREVIOUS_SECRETS'],
        message: `at most ${MAX_PREVIOUS_SECRETS} entries (remove secrets retired more than 15 minutes ago: their tokens have expired)`,
      });
    }
    if (production) {
      const secret = env.JWT_SECRET;
      if (previousSecrets.some(weakSecret)) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_PREVIOUS_SECRETS'],
          message: 'every entry must be at least 32 bytes and not an example value in production',
        });
      }
      // Token keys and reset links fetched or mailed over plain HTTP can be swapped or read in transit.
      for (const name of [
        'OIDC_ISSUER',
        'OIDC_JWKS_URL',
        'PASSWORD_RESET_URL',
        'EMAIL_VERIFY_URL',
      ] as const) {
        const url = env[name];
        if (url !== undefined && !url.toLowerCase().startsWith('https://')) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'must be an https:// URL in production' });
        }
      }
      // Sign-up and reset links must reach their owner: production has no log to read them from.
      if (!env.SMTP_URL) {
        ctx.addIssue({
          code: 'custom',
          path: ['SMTP_URL'],
          message: 'is required in production (verification and password-reset mail is sent through it)',
        });
      }
      if (env.JWT_ALG === 'HS256') {
        if (!secret) {
          ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required in production' });
        } else if (weakSecret(secret)) {
          ctx.addIssue({
            code: 'custom',
            path: ['JWT_SECRET'],
            message: 'must be at least 32 bytes and not an example value in production',
          });
        }
      }
    } else {
      if (env.JWT_SECRET !== undefined && Buffer.byteLength(env.JWT_SECRET) < 32) {
        ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 32 bytes' });
      }
      if (previousSecrets.some((s) => Buffer.byteLength(s) < 32)) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_PREVIOUS_SECRETS'],
          message: 'every entry must be at least 32 bytes',
        });
      }
    }
    if (env.JWT_ALG === 'HS256' && env.JWT_PREVIOUS_PUBLIC_KEYS !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_PREVIOUS_PUBLIC_KEYS'],
        message: 'applies to JWT_ALG=EdDSA or ES256 only (HS256 rotates with JWT_PREVIOUS_SECRETS)',
      });
    }
    if (env.JWT_ALG !== 'HS256' && !env.JWT_PRIVATE_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_PRIVATE_KEY'],
        message: `is required when JWT_ALG=${env.JWT_ALG}`,
      });
    }
    if ((env.OIDC_ISSUER === undefined) !== (env.OIDC_AUDIENCE === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['OIDC_AUDIENCE'],
        message: 'OIDC_ISSUER and OIDC_AUDIENCE go together',
      });
    }
    // Trusting every proxy lets any client write its own X-Forwarded-For, so pick its address,
    // hence its limits' keys (and its X-Forwarded-Proto): name the proxies in production.
    if (production && trustsEveryone(env.TRUST_PROXY)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TRUST_PROXY'],
        message:
          "trusting every proxy (true, 0.0.0.0/0, ::/0) is refused in production: give a hop count, loopback, or the proxies' addresses/CIDRs",
      });
    }
    if (production && env.METRICS_PORT !== undefined && !isLoopback(env.METRICS_HOST) && !env.METRICS_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_TOKEN'],
        message: 'is required in production when METRICS_HOST is not a loopback address',
      });
    }
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_PORT'],
        message: 'must differ from PORT: the metrics never share the public port',
      });
    }
    if ((env.TLS_CERT === undefined) !== (env.TLS_KEY === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['TLS_KEY'], message: 'TLS_CERT and TLS_KEY go together' });
    }
  })
  // The shape the app reads: grouped and renamed once, here.
  .transform((e) => {
    const production = e.NODE_ENV === 'production';
    return {
      nodeEnv: e.NODE_ENV,
      isProduction: production,
      host: e.HOST,
      port: e.PORT,
      databaseUrl: e.DATABASE_URL,
      databaseSchema: e.DATABASE_SCHEMA,
      databaseStatementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      dataDir: e.DATA_DIR,
      redisUrl: e.REDIS_URL,
      redisPrefix: e.REDIS_PREFIX,
      jwt: {
        secret: e.JWT_SECRET,
        previousSecrets: e.JWT_PREVIOUS_SECRETS ?? [],
        issuer: e.JWT_ISSUER,
        audience: e.JWT_AUDIENCE,
        alg: e.JWT_ALG,
        privateKeyPem: e.JWT_PRIVATE_KEY,
        previousPublicKeysPem: e.JWT_PREVIOUS_PUBLIC_KEYS,
      },
      oidc:
        e.OIDC_ISSUER && e.OIDC_AUDIENCE
          ? { issuer: e.OIDC_ISSUER, audience: e.OIDC_AUDIENCE, jwksUrl: e.OIDC_JWKS_URL }
          : undefined,
      identity: {
        login: {
          pairMaxFailures: e.LOGIN_PAIR_MAX_FAILURES,
          networkMaxFailures: e.LOGIN_IP_MAX_FAILURES,
          accountMaxFailures: e.LOGIN_ACCOUNT_MAX_FAILURES,
          maxDelaySeconds: e.LOGIN_MAX_DELAY_SECONDS,
        },
        passwordResetUrl: e.PASSWORD_RESET_URL,
        emailVerifyUrl: e.EMAIL_VERIFY_URL,
        refreshAbsoluteSeconds: e.REFRESH_ABSOLUTE_DAYS * 24 * 60 * 60,
        apiKeyUsageFlushMs: e.API_KEY_USAGE_FLUSH_MS,
      },
      mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM },
      trustProxy: e.TRUST_PROXY,
      clientIpv6Prefix: e.CLIENT_IPV6_PREFIX,
      tls: e.TLS_CERT && e.TLS_KEY ? { cert: e.TLS_CERT, key: e.TLS_KEY } : undefined,
      logLevel: e.LOG_LEVEL,
      seedDemoData: production ? false : (e.SEED_DEMO_DATA ?? e.NODE_ENV === 'development'),
      metrics:
        e.METRICS_PORT === undefined
          ? undefined
          : { host: e.METRICS_HOST, port: e.METRICS_PORT, token: e.METRICS_TOKEN },
      tracing:
        e.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
          ? undefined
          : {
              endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
              headers: e.OTEL_EXPORTER_OTLP_HEADERS,
              serviceName: e.OTEL_SERVICE_NAME,
              resolverThresholdMs: e.TRACE_RESOLVER_THRESHOLD_MS,
            },
      profilesFile: e.PROFILES_FILE,
    };
  });

export type RawEnv = Readonly<Record<string, string | undefined>>;

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The parsed configuration: the app's own settings, and each protection's options by name. */
export type Config = DeepReadonly<z.output<typeof core>> & {
  readonly protections: ProtectionOptions;
  /** The client profiles at start, and the server's values a reloaded file inherits. */
  readonly profiles: { readonly defaults: ServerDefaults; readonly set: ProfileSet };
};

/** Every environment variable the configuration reads (`.env.example` lists exactly these). */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze([
  ...Object.keys(core.in.shape),
  ...PROTECTIONS.flatMap((p) => Object.keys(p.env.shape)),
]);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The names proxy-addr (Express) knows for address ranges. */
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_TRUST_PROXY_HOPS = 16;

/**
 * TRUST_PROXY → Express's setting, every entry checked here (node's BlockList parses each
 * address and prefix) so a typo stops start-up with the variable's name instead of being
 * trusted or ignored. Entries are not echoed: the message names the rule.
 */
function parseTrustProxy(raw: string, ctx: z.RefinementCtx): TrustProxy {
  const value = raw.trim();
  if (value === 'false' || value === '' || value === '0') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_TRUST_PROXY_HOPS)
      ctx.addIssue({ code: 'custom', message: `a hop count is at most ${MAX_TRUST_PROXY_HOPS}` });
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const invalid = entries.filter((entry) => !TRUST_PROXY_NAMES.has(entry) && !isAddressOrCidr(entry));
  if (invalid.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `false, true, a hop count, or a comma-separated list of addresses, CIDRs (a.b.c.d/n, x::/n) and loopback, linklocal, uniquelocal (${invalid.length} entr${invalid.length === 1 ? 'y is' : 'ies are'} neither)`,
    });
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  try {
    new BlockList().addSubnet(address, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    return true;
  } catch {
    return false; // a prefix longer than the address
  }
}

/** true, or a subnet of length 0: every address is a trusted proxy. */
function trustsEveryone(trust: TrustProxy): boolean {
  return trust === true || (Array.isArray(trust) && trust.some((entry: string) => /\/0+$/.test(entry)));
}

/** Parses an environment (process.env by default) into a frozen Config, or throws ConfigError. */
export function parseConfig(env: RawEnv): Config {
  const issues: z.core.$ZodIssue[] = [];
  const result = core.safeParse(env);
  if (!result.success) issues.push(...result.error.issues);
  const protections: Record<string, unknown> = {};
  for (const protection of PROTECTIONS) {
    const parsed = protection.env.safeParse(env);
    if (parsed.success) protections[protection.name] = parsed.data;
    else issues.push(...parsed.error.issues);
  }
  let profiles: Config['profiles'] | undefined;
  if (result.success && issues.length === 0) {
    try {
      profiles = loadProfiles(
        protections as ProtectionOptions,
        result.data.isProduction,
        result.data.profilesFile,
      );
    } catch (error) {
      issues.push({
        code: 'custom',
        path: ['PROFILES_FILE'],
        message: error instanceof Error ? error.message : String(error),
        input: undefined,
      });
    }
  }
  if (!result.success || issues.length > 0 || !profiles) {
    const lines = issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      // The message names the variable and the rule, never the value (it may be a secret).
      return `  ${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return deepFreeze({ ...result.data, protections: protections as ProtectionOptions, profiles });
}

/** The environment's values as a profile, and the file's profiles built on them. */
function loadProfiles(
  options: ProtectionOptions,
  production: boolean,
  file: string | undefined,
): Config['profiles'] {
  const defaults: ServerDefaults = {
    limits: {
      tokens: options.documentLimits.MAX_TOKENS,
      depth: options.documentLimits.MAX_DEPTH,
      aliases: options.documentLimits.MAX_ALIASES,
      directives: options.documentLimits.MAX_DIRECTIVES,
      rootFields: options.documentLimits.MAX_ROOT_FIELDS,
      fragmentSpreads: options.documentLimits.MAX_FRAGMENT_SPREADS,
      cost: options.cost.MAX_COST,
      budgetPerHour: options.cost.COST_BUDGET_PER_HOUR,
      httpRate: options.clientLimit.HTTP_RATE_LIMIT,
      responseItems: options.responseGuards.MAX_RESPONSE_ITEMS,
      responseBytes: options.responseGuards.MAX_RESPONSE_BYTES,
    },
    introspection: !production,
    rateLimit: { multiplier: 1, fields: new Map() },
    trustedDocuments: options.trustedDocuments.TRUSTED_DOCUMENTS,
    measure: new Set(),
  };
  const set = buildProfileSet(defaults, file === undefined ? undefined : readProfilesFile(file), file);
  if (
    options.trustedDocuments.TRUSTED_DOCUMENTS_MANIFEST === undefined &&
    [...set.profiles.values()].some((p) => p.trustedDocuments !== 'off')
  )
    throw new Error(`${file ?? ''}: a profile's trustedDocuments mode needs TRUSTED_DOCUMENTS_MANIFEST`);
  return { defaults, set };
}

/** Reads `.env` (when present) into process.env without overriding what is already set, then parses. */
export function loadConfig(envFile = '.env'): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
