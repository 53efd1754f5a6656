import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AuthenticationError, ErrorCode, HttpError } from '../errors.js';
import { identityFields, securityEvent } from '../audit/audit.js';
import { EVENT_BY_CODE } from '../audit/events.js';
import { attributionOf } from '../audit/marks.js';
import { sendRefusal } from './refusal.js';
import { getRequestState, requestIdentity } from './request-state.js';

export interface HttpErrorHandlerOptions {
  log: Logger;
  /** The client network of a request (security/client-network.ts), for refusals made before it was known. */
  clientNetwork: (req: Request) => string;
}

// Client errors of the body parser, by status, with our own wording: the parser's messages name
// library internals ("Unexpected token … in JSON at position …") and are never forwarded.
const BODY_ERRORS: Record<number, string> = {
  400: 'Malformed request body.',
  403: 'Request body refused.',
  413: 'Request body too large.',
  415: 'Unsupported request body encoding.',
};

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}

/**
 * Errors outside GraphQL (bad credentials, the HTTPS guard, bad JSON, oversized bodies, bugs in
 * middleware): always a coded GraphQL error body (http/refusal.ts), never Express's HTML page, a
 * stack or a library message.
 * Unexpected errors become a 500 with the request id, and the real error is logged under it.
 */
export function createHttpErrorHandler({ log, clientNetwork }: HttpErrorHandlerOptions): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const state = getRequestState(req);
    const requestId = state.requestId;
    const base = identityFields({ ...requestIdentity(req), network: state.network ?? clientNetwork(req) });
    if (res.headersSent) {
      // Too late for a clean answer: log, and let Node close the connection.
      log.error({ ...base, err: error }, 'error after the response started');
      res.end();
      return;
    }
    // Which protection refused (security/protect.ts attributes every protection's errors).
    const attribution = attributionOf(error);
    if (error instanceof HttpError) {
      const event = EVENT_BY_CODE[error.code];
      if (event) {
        securityEvent(log, event, {
          ...base,
          protection:
            error instanceof AuthenticationError ? 'authentication' : (attribution?.protection ?? 'http'),
          ...attribution?.facts,
          code: error.code,
          status: error.status,
          ...(error instanceof AuthenticationError
            ? { reason: error.reason }
            : typeof error.extensions.reason === 'string'
              ? { reason: error.extensions.reason }
              : {}),
        });
      }
      sendRefusal(req, res, {
        status: error.status,
        code: error.code,
        message: error.message,
        extensions: error.extensions,
        headers: error.headers,
      });
      return;
    }
    const status = statusOf(error);
    const bodyMessage = status !== undefined ? BODY_ERRORS[status] : undefined;
    if (status !== undefined && bodyMessage) {
      securityEvent(log, 'validation_failure', {
        ...base,
        protection: attribution?.protection ?? 'bodyLimit',
        code: ErrorCode.BAD_USER_INPUT,
        status,
      });
      sendRefusal(req, res, { status, code: ErrorCode.BAD_USER_INPUT, message: bodyMessage });
      return;
    }
    log.error({ ...base, err: error }, 'unhandled HTTP error (masked for the client)');
    sendRefusal(req, res, {
      status: 500,
      code: ErrorCode.INTERNAL_SERVER_ERROR,
      message: 'Internal server error.',
      extensions: { requestId },
    });
  };
}
