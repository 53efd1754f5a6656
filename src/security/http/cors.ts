import type { NextFunction, Request, RequestHandler, Response } from 'express';
import cors from 'cors';
import { z } from 'zod';
import { csv } from '../options.js';
import { defineProtection } from '../protection.js';

export interface CorsOptions {
  /**
   * Exact origins (scheme://host[:port]) allowed to call the API from a browser. Default none:
   * production allows no browser origin until CORS_ORIGINS lists it.
   */
  origins?: readonly string[];
  /** How long a browser may cache a preflight answer, in seconds. Default 600 (Chromium's cap is 7200). */
  maxAgeSeconds?: number;
}

/** Headers a browser client may send: content type, credentials, and Apollo's CSRF/preflight header. */
const ALLOWED_HEADERS = [
  'Content-Type',
  'Authorization',
  'X-API-Key',
  'Apollo-Require-Preflight',
  'X-Apollo-Operation-Name',
  'X-Request-Id',
];
/** Headers a browser client may read: the request id (for support) and limit hints. */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
];

/**
 * CORS with an exact allowlist. No wildcard, no pattern, no reflection of an arbitrary Origin:
 * a listed origin gets `Access-Control-Allow-Origin: <that origin>` with credentials (the refresh
 * cookie); any other origin gets no CORS header at all, so the browser keeps the response from it.
 */
export function createCors(options: CorsOptions = {}): RequestHandler {
  const allowed = new Set(options.origins ?? []);
  const maxAge = options.maxAgeSeconds ?? 600;
  const handler = cors({
    origin: (origin, callback) => {
      // Exact string comparison: "https://app.example.com.evil.net" or "null" never match.
      callback(null, origin !== undefined && allowed.has(origin) ? origin : false);
    },
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge,
    // Answer preflights here (204) rather than passing them to GraphQL.
    preflightContinue: false,
    optionsSuccessStatus: 204,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    // The answer depends on Origin, so shared caches must key on it, whether or not it was allowed.
    res.vary('Origin');
    // CORS only where it applies: a request without Origin (a server, a partner's backend, curl)
    // is not a cross-origin browser request, and the cors package would add nothing to it.
    if (req.headers.origin === undefined) {
      next();
      return;
    }
    handler(req, res, next);
  };
}

/** The origins in force: CORS_ORIGINS, else `http://localhost:3000` in development and none in production. */
export function corsOrigins(
  configured: readonly string[] | undefined,
  production: boolean,
): readonly string[] {
  return configured ?? (production ? [] : ['http://localhost:3000']);
}

export const corsProtection = defineProtection({
  name: 'cors',
  phase: 'http',
  summary:
    'CORS with an exact origin allowlist, credentials for listed origins only; preflights answered here.',
  env: z.object({
    CORS_ORIGINS: csv
      .optional()
      .describe(
        'Comma-separated exact origins; default http://localhost:3000 in development, none in production.',
      ),
  }),
  create: (options, { production }) => ({
    everyRequest: [createCors({ origins: corsOrigins(options.CORS_ORIGINS, production) })],
  }),
});
