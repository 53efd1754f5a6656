import type { Request, Response } from 'express';
import type { ErrorCode } from '../errors.js';

/** GraphQL over HTTP's media type for GraphQL answers; and the one every JSON client reads. */
export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';
export const APPLICATION_JSON = 'application/json; charset=utf-8';

/**
 * The content type of a refusal, negotiated as Apollo Server negotiates its own answers (the same
 * list, in the same order), so one request gets one content type whether the HTTP layer or GraphQL
 * answers it: `application/graphql-response+json` when the Accept header prefers it (it must name
 * it, with q > 0, ahead of or above `application/json`); `application/json` otherwise, including
 * without an Accept header, for a wildcard, and when the Accept header accepts neither.
 */
export function refusalContentType(req: Request): string {
  if (req.headers.accept === undefined) return APPLICATION_JSON;
  return req.accepts(['application/json', 'application/graphql-response+json']) ===
    'application/graphql-response+json'
    ? GRAPHQL_RESPONSE_JSON
    : APPLICATION_JSON;
}

export interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
  /** More `extensions` beside `code` (retryAfter, requestId, reason). */
  extensions?: Readonly<Record<string, unknown>>;
  /** Headers that belong to the refusal (Retry-After, WWW-Authenticate, Allow, Upgrade). */
  headers?: Readonly<Record<string, string>>;
}

/**
 * The one writer of a refusal made outside GraphQL: `{ errors: [{ message, extensions: { code,
 * … } }] }`, the shape of a GraphQL error answer, so a client reads every refusal the same way.
 */
export function sendRefusal(req: Request, res: Response, refusal: Refusal): void {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  const body = JSON.stringify({
    errors: [{ message: refusal.message, extensions: { ...refusal.extensions, code: refusal.code } }],
  });
  // res.send keeps a Content-Type that is set already (res.json would say application/json).
  res.status(refusal.status).setHeader('Content-Type', refusalContentType(req));
  res.send(body);
}
