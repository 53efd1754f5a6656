import { GraphQLError, type ASTNode } from 'graphql';

// One error taxonomy (docs/api.md). Only these codes ever reach a client; everything else is masked
// into INTERNAL_SERVER_ERROR by the error formatter.
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  RATE_LIMITED: 'RATE_LIMITED',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const PUBLIC_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * An error that is meant for the client: its code and message pass the masking step unchanged.
 * Library errors (graphql-js, Apollo) are said again instead (security/response/error-messages.ts),
 * so every error our code writes for a client is an AppError. `nodes` locate it in the document.
 */
export class AppError extends GraphQLError {
  constructor(
    code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
    nodes?: ASTNode | readonly ASTNode[],
  ) {
    super(message, { extensions: { ...extensions, code }, ...(nodes ? { nodes } : {}) });
    this.name = 'AppError';
  }
}

export const unauthenticated = (message = 'Authentication required.') =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);

export const forbidden = (message = 'You are not allowed to do this.') =>
  new AppError(ErrorCode.FORBIDDEN, message);

/** "Not yours" and "not there" are the same answer, so ids cannot be probed. */
export const notFound = (what = 'Resource') => new AppError(ErrorCode.NOT_FOUND, `${what} not found.`);

export const badUserInput = (fieldErrors: Record<string, string>, message = 'Invalid input.') =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, { fieldErrors });

/**
 * The one rounding of a wait for clients (`Retry-After`, `extensions.retryAfter`): whole seconds,
 * rounded up, at least 1 (a 0 would invite an immediate retry that is refused again).
 */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** `retryAfter`: whole seconds, from retryAfterSeconds(). */
export const rateLimited = (retryAfter: number, message = 'Too many requests, please try again later.') =>
  new AppError(ErrorCode.RATE_LIMITED, message, { retryAfter });

/** Thrown by a failing HTTP-level check before GraphQL runs (e.g. bad credentials → 401). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Why a credential was refused: logged as a security event, never sent to the client. */
export type AuthFailureReason =
  | 'oversized'
  | 'malformed'
  | 'invalid_token'
  | 'revoked_token'
  | 'unknown_user'
  | 'unknown_api_key'
  | 'ambiguous';

export class AuthenticationError extends HttpError {
  constructor(readonly reason: AuthFailureReason) {
    // One message for every failure: the client learns that the credential is bad, not why.
    super(
      401,
      ErrorCode.UNAUTHENTICATED,
      'Invalid or expired credentials.',
      {},
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
}
