import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { defineProtection } from '../protection.js';

/**
 * Answers 405 with an `Allow` header and a coded JSON error for any other method, before the
 * request reaches a parser or GraphQL (CORS preflights are answered earlier, by the CORS step).
 */
function allowMethods(methods: readonly string[]): RequestHandler {
  const allowed = new Set(methods.map((m) => m.toUpperCase()));
  const allow = [...allowed].join(', ');
  return (req: Request, res: Response, next: NextFunction) => {
    if (allowed.has(req.method)) {
      next();
      return;
    }
    res
      .status(405)
      .setHeader('Allow', allow)
      .json({ errors: [{ message: 'Method not allowed.', extensions: { code: 'BAD_USER_INPUT' } }] });
  };
}

export const methodsProtection = defineProtection({
  name: 'methods',
  phase: 'http',
  summary: 'Only GET and POST reach GraphQL (405 otherwise).',
  env: z.object({}),
  create: () => ({ graphqlRequest: [allowMethods(['GET', 'POST'])] }),
});

/**
 * Apollo's CSRF prevention: a GET or a "simple" POST (the kinds a browser sends cross-site without
 * a preflight) must carry a non-simple header or a JSON content type, so a forged form or image
 * cannot run an operation with the victim's cookie.
 */
export const csrfProtection = defineProtection({
  name: 'csrf',
  phase: 'http',
  summary:
    'Apollo CSRF prevention: requests a browser could send cross-site without a preflight are refused.',
  env: z.object({}),
  create: () => ({ apollo: { csrfPrevention: true } }),
});
