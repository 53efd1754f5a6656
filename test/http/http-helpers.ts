import { startApp, type StartOptions, type TestApp } from '../helpers/app.js';

/** A strong production secret (48 bytes), so production mode starts. */
export const PROD_SECRET = 'prod-secret-0123456789abcdef-0123456789abcdef-xyz';
export const PROD_ORIGIN = 'https://app.example.com';
/** Production refuses a plain-http PASSWORD_RESET_URL (its default is http://localhost). */
export const PROD_RESET_URL = 'https://app.example.com/reset-password';
/**
 * Production refuses to start without a mail transport and with a plain-http verification page.
 * Nothing listens on this port: a suite that makes the app send mail gets a logged failure.
 */
export const PROD_MAIL = {
  SMTP_URL: 'smtp://127.0.0.1:9',
  EMAIL_VERIFY_URL: 'https://app.example.com/verify-email',
} as const;

/** Production mode behind a trusted loopback proxy, with one allowed browser origin. */
export const PROD_ENV = {
  NODE_ENV: 'production',
  JWT_SECRET: PROD_SECRET,
  PASSWORD_RESET_URL: PROD_RESET_URL,
  ...PROD_MAIL,
  CORS_ORIGINS: PROD_ORIGIN,
  TRUST_PROXY: 'loopback',
  // Generous limits: these suites test HTTP hardening, not the limiters.
  HTTP_RATE_LIMIT: '100000',
} as const;

/** What a TLS-terminating proxy in front of the app adds. */
export const VIA_HTTPS_PROXY = { 'x-forwarded-proto': 'https' } as const;

export function startProd(options: StartOptions = {}): Promise<TestApp> {
  return startApp({ ...options, env: { ...PROD_ENV, ...options.env } });
}

export function startDev(options: StartOptions = {}): Promise<TestApp> {
  return startApp({
    ...options,
    env: { NODE_ENV: 'development', HTTP_RATE_LIMIT: '100000', ...options.env },
  });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Any request, no defaults: the tests decide every header (no redirect following). */
export async function raw(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Things that must never appear in a response body: stacks, file paths, SQL, library internals. */
export const LEAK_PATTERNS: readonly RegExp[] = [
  /\bat [\w.<>]+ \(/, // stack frame
  /stacktrace/i,
  /\/work\/|\/src\/|node_modules|\.ts:\d+/, // file paths
  /\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b/i, // SQL
  /does not exist|syntax error at or near|description_gone/i, // database messages
  /Unexpected token|in JSON at position/i, // JSON parser messages
  /Cannot (GET|POST|PUT|DELETE) \//, // Express's default page
  /<html|<!DOCTYPE/i,
];

export function leaks(text: string): string[] {
  return LEAK_PATTERNS.filter((p) => p.test(text)).map(String);
}
