import { existsSync } from 'node:fs';
import { z } from 'zod';

// The only module that reads process.env. Everything is parsed once, validated, and frozen;
// a bad value stops the process with the variable's name and what was expected.

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

// Placeholders that must never sign production tokens.
const EXAMPLE_SECRETS = new Set([
  'change-me',
  'changeme',
  'secret',
  'replace-with-at-least-32-random-bytes-in-production',
]);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
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
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .optional(),
    /** Every Redis key starts with this, so several deployments or test runs can share one Redis. */
    REDIS_PREFIX: z.string().min(1).max(64).default('sgql:'),
    JWT_SECRET: z.string().optional(),
    /** Comma-separated previous HS256 secrets still accepted for verification (key rotation). */
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
    /** Failed logins per client IP in 15 minutes before that IP is refused (per account: 5, fixed). */
    LOGIN_IP_MAX_FAILURES: int(1, 1_000_000).default(50),
    /** The page where a user finishes a password reset; the mailed link is `<url>#token=…`. */
    PASSWORD_RESET_URL: z.string().url().default('http://localhost:3000/reset-password'),
    /** How often API-key "last used" marks are written, in one batch. */
    API_KEY_USAGE_FLUSH_MS: int(100, 600_000).default(10_000),
    CORS_ORIGINS: csv.optional(),
    TRUST_PROXY: z.string().default('false'),
    TLS_CERT: z.string().optional(),
    TLS_KEY: z.string().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Seed demo data on first start (development only; production never seeds). */
    SEED_DEMO_DATA: bool.optional(),
    // Abuse limits: every one has a production default and can be tuned here.
    MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).default(100 * 1024),
    MAX_TOKENS: int(10, 100_000).default(2000),
    MAX_DEPTH: int(1, 100).default(10),
    MAX_ALIASES: int(0, 1000).default(15),
    MAX_DIRECTIVES: int(0, 1000).default(20),
    MAX_ROOT_FIELDS: int(1, 1000).default(10),
    MAX_FRAGMENT_SPREADS: int(1, 100_000).default(200),
    MAX_COST: int(1, 10_000_000).default(5000),
    COST_BUDGET_PER_HOUR: int(1, 100_000_000).default(50_000),
    HTTP_RATE_LIMIT: int(1, 1_000_000).default(600),
    HTTP_RATE_WINDOW_SECONDS: int(1, 86_400).default(60),
    MAX_BATCH_SIZE: int(0, 100).default(0),
    EXECUTION_TIMEOUT_MS: int(100, 600_000).default(10_000),
    /** Slow clients: time to send the request headers, the whole request, and keep-alive idle. */
    HTTP_HEADERS_TIMEOUT_MS: int(500, 600_000).default(10_000),
    HTTP_REQUEST_TIMEOUT_MS: int(500, 600_000).default(30_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000).default(5_000),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === 'production';
    if (production) {
      const secret = env.JWT_SECRET;
      if (env.JWT_ALG === 'HS256') {
        if (!secret) {
          ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required in production' });
        } else if (Buffer.byteLength(secret) < 32 || EXAMPLE_SECRETS.has(secret)) {
          ctx.addIssue({
            code: 'custom',
            path: ['JWT_SECRET'],
            message: 'must be at least 32 bytes and not an example value in production',
          });
        }
      }
    } else if (env.JWT_SECRET !== undefined && Buffer.byteLength(env.JWT_SECRET) < 32) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 32 bytes' });
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
    if ((env.TLS_CERT === undefined) !== (env.TLS_KEY === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['TLS_KEY'], message: 'TLS_CERT and TLS_KEY go together' });
    }
  });

export type RawEnv = Readonly<Record<string, string | undefined>>;

export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly isProduction: boolean;
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string | undefined;
  readonly databaseSchema: string | undefined;
  readonly dataDir: string;
  readonly redisUrl: string | undefined;
  readonly redisPrefix: string;
  readonly jwt: {
    readonly secret: string | undefined;
    readonly previousSecrets: readonly string[];
    readonly issuer: string;
    readonly audience: string;
    readonly alg: 'HS256' | 'EdDSA' | 'ES256';
    readonly privateKeyPem: string | undefined;
    readonly previousPublicKeysPem: string | undefined;
  };
  readonly oidc:
    { readonly issuer: string; readonly audience: string; readonly jwksUrl: string | undefined } | undefined;
  readonly identity: {
    readonly loginIpMaxFailures: number;
    readonly passwordResetUrl: string;
    readonly apiKeyUsageFlushMs: number;
  };
  readonly corsOrigins: readonly string[];
  readonly trustProxy: boolean | number | string;
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  readonly logLevel: string;
  readonly seedDemoData: boolean;
  readonly limits: {
    readonly maxBodyBytes: number;
    readonly maxTokens: number;
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxDirectives: number;
    readonly maxRootFields: number;
    readonly maxFragmentSpreads: number;
    readonly maxCost: number;
    readonly costBudgetPerHour: number;
    readonly httpRateLimit: number;
    readonly httpRateWindowSeconds: number;
    readonly maxBatchSize: number;
    readonly executionTimeoutMs: number;
    readonly httpHeadersTimeoutMs: number;
    readonly httpRequestTimeoutMs: number;
    readonly httpKeepAliveTimeoutMs: number;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'false' || value === '') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value; // e.g. "loopback" or a comma-separated list of addresses / subnets
}

/** Parses an environment (process.env by default) into a frozen Config, or throws ConfigError. */
export function parseConfig(env: RawEnv): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      // The message names the variable and the rule, never the value (it may be a secret).
      return `  ${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  const production = e.NODE_ENV === 'production';
  const config: Config = {
    nodeEnv: e.NODE_ENV,
    isProduction: production,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.DATABASE_SCHEMA,
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
      loginIpMaxFailures: e.LOGIN_IP_MAX_FAILURES,
      passwordResetUrl: e.PASSWORD_RESET_URL,
      apiKeyUsageFlushMs: e.API_KEY_USAGE_FLUSH_MS,
    },
    corsOrigins: e.CORS_ORIGINS ?? (production ? [] : ['http://localhost:3000']),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    tls: e.TLS_CERT && e.TLS_KEY ? { cert: e.TLS_CERT, key: e.TLS_KEY } : undefined,
    logLevel: e.LOG_LEVEL,
    seedDemoData: production ? false : (e.SEED_DEMO_DATA ?? e.NODE_ENV === 'development'),
    limits: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxTokens: e.MAX_TOKENS,
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxDirectives: e.MAX_DIRECTIVES,
      maxRootFields: e.MAX_ROOT_FIELDS,
      maxFragmentSpreads: e.MAX_FRAGMENT_SPREADS,
      maxCost: e.MAX_COST,
      costBudgetPerHour: e.COST_BUDGET_PER_HOUR,
      httpRateLimit: e.HTTP_RATE_LIMIT,
      httpRateWindowSeconds: e.HTTP_RATE_WINDOW_SECONDS,
      // Batching is off in production whatever the variable says: one operation per request
      // keeps every limit per operation.
      maxBatchSize: production ? 0 : e.MAX_BATCH_SIZE,
      executionTimeoutMs: e.EXECUTION_TIMEOUT_MS,
      httpHeadersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      httpKeepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
  };
  return deepFreeze(config);
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
