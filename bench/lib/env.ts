import { randomBytes } from 'node:crypto';
import type { RawEnv } from '../../src/config.js';

// Everything the benchmark talks to is on loopback: the shared PostgreSQL and Redis of this
// machine (overridable with BENCH_DATABASE_URL / BENCH_REDIS_URL), and the servers it starts.
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh, random signing key per run (≥ 32 bytes, as production requires). */
export const BENCH_JWT_SECRET = `bench-${randomBytes(32).toString('hex')}`;

/** One id per run: the PostgreSQL schema and Redis key prefix are named after it and removed afterwards. */
export const RUN_ID = randomBytes(5).toString('hex');
export const BENCH_SCHEMA = `bench_${RUN_ID}`;

export const BENCH_ORIGIN = 'https://app.example.com';

/**
 * The project in production mode with every protection on, Redis as the shared store. The request
 * and cost budgets are raised so the benchmark measures what the protections cost, not refusals:
 * at a few thousand requests per second from one address, the production defaults (600 requests
 * a minute) would refuse almost everything after the first second.
 */
export function projectEnv(overrides: RawEnv = {}): RawEnv {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: BENCH_JWT_SECRET,
    PASSWORD_RESET_URL: `${BENCH_ORIGIN}/reset-password`,
    EMAIL_VERIFY_URL: `${BENCH_ORIGIN}/verify-email`,
    // Production requires a mail transport. The runs that send mail (equal-time) pass their own
    // sink's URL; the others send none, so nothing needs to listen here.
    SMTP_URL: 'smtp://127.0.0.1:9',
    DATABASE_URL: BENCH_DATABASE_URL,
    DATABASE_SCHEMA: BENCH_SCHEMA,
    REDIS_URL: BENCH_REDIS_URL,
    REDIS_PREFIX: `bench:${RUN_ID}:`,
    CORS_ORIGINS: BENCH_ORIGIN,
    TRUST_PROXY: 'loopback',
    HTTP_RATE_LIMIT: '1000000',
    COST_BUDGET_PER_HOUR: '100000000',
    ...overrides,
  };
}

/** The generous limits, for the report. */
export const GENEROUS_LIMITS = 'HTTP_RATE_LIMIT=1000000 per window, COST_BUDGET_PER_HOUR=100000000';

/** Headers every benchmark request carries: what a browser client behind a TLS proxy sends. */
export function commonHeaders(): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-forwarded-proto': 'https',
    origin: BENCH_ORIGIN,
  };
}
