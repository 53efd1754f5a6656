import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { ErrorCode, HttpError } from '../../errors.js';
import { sendRefusal } from '../../http/refusal.js';
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
    sendRefusal(req, res, {
      status: 405,
      code: ErrorCode.BAD_USER_INPUT,
      message: 'Method not allowed.',
      headers: { Allow: allow },
    });
  };
}

export const methodsProtection = defineProtection({
  name: 'methods',
  phase: 'http',
  summary: 'Only GET and POST reach GraphQL (405 otherwise).',
  env: z.object({}),
  create: () => ({ graphqlRequest: [allowMethods(['GET', 'POST'])] }),
});

/** The content types a browser may send cross-site without a CORS preflight (Fetch: CORS-safelisted). */
const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);
/** Headers no cross-site page can add without a preflight; any non-empty value will do. */
const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'] as const;

/** `extensions.reason` of a CSRF refusal: the code stays BAD_USER_INPUT (the contract's list is closed). */
export const PREFLIGHT_REQUIRED = 'PREFLIGHT_REQUIRED';

// Header names in lower case, as they are matched: the messages say exactly what to send.
const GET_MESSAGE =
  'Refused as a possible Cross-Site Request Forgery (CSRF): a GET request must carry a non-empty ' +
  'apollo-require-preflight header (or x-apollo-operation-name), or be sent as a POST with ' +
  'Content-Type: application/json.';
const POST_MESSAGE =
  'Refused as a possible Cross-Site Request Forgery (CSRF): send the request body as JSON, with ' +
  'Content-Type: application/json.';

/** The MIME type's essence (`type/subtype`, lower case), as the Fetch standard compares it. */
const essenceOf = (contentType: string) => contentType.split(';', 1)[0]!.trim().toLowerCase();

/**
 * Apollo Server's CSRF prevention (the same rule: preventCsrf.ts of @apollo/server), as the one
 * answer, before authentication and Apollo: a request with no content type or a "simple" one (the
 * kinds a browser sends cross-site without a preflight: a link, an <img>, a form) must carry a
 * non-empty preflight header, so a forged page cannot run an operation with the victim's cookie.
 * Refused: 400 BAD_USER_INPUT with `extensions.reason: "PREFLIGHT_REQUIRED"` and a message naming
 * what to send, logged as a `validation_failure` security event with that reason. `landingPage`: a browser GET that prefers HTML is Apollo's Sandbox page (which runs
 * nothing), and passes, as Apollo lets it pass.
 */
export function preventCsrf({ landingPage }: { landingPage: boolean }): RequestHandler {
  const wantsLandingPage = (req: Request) =>
    landingPage &&
    req.method === 'GET' &&
    !!req.headers.accept &&
    // Apollo's own choice (ApolloServer.prefersHTML): HTML must win over every type it serves.
    req.accepts(['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html']) ===
      'text/html';
  return (req: Request, res: Response, next: NextFunction) => {
    const contentType = req.headers['content-type'];
    if (contentType !== undefined && !SIMPLE_CONTENT_TYPES.has(essenceOf(contentType))) return next();
    if (PREFLIGHT_HEADERS.some((name) => (req.headers[name]?.length ?? 0) > 0)) return next();
    if (wantsLandingPage(req)) return next();
    // Through the HTTP error handler: it writes the one security event and the refusal.
    next(
      new HttpError(400, ErrorCode.BAD_USER_INPUT, req.method === 'GET' ? GET_MESSAGE : POST_MESSAGE, {
        reason: PREFLIGHT_REQUIRED,
      }),
    );
  };
}

/**
 * CSRF prevention in the HTTP layer, with Apollo's own turned off: one check, one answer (Apollo's
 * would say the same thing in other words, without a reason a client can test).
 */
export const csrfProtection = defineProtection({
  name: 'csrf',
  phase: 'http',
  summary:
    'CSRF prevention: requests a browser could send cross-site without a preflight are refused (400, reason PREFLIGHT_REQUIRED).',
  env: z.object({}),
  create: (_options, { production }) => ({
    graphqlRequest: [preventCsrf({ landingPage: !production })],
    apollo: { csrfPrevention: false },
  }),
});
