import { ErrorCode } from '../errors.js';

/**
 * The security event catalogue: every security decision is logged as one of these, one line per
 * decision (audit.ts writes them all).
 */
export const SECURITY_EVENTS = [
  'auth_failure',
  'authz_denied',
  'validation_failure',
  'limit_hit',
  'token_reuse',
  'lockout',
  'password_reset',
  'internal_error',
  'store_failover',
  // A document not in the trusted-documents manifest, served (TRUSTED_DOCUMENTS=log).
  'untrusted_document',
  // A protection in measure mode for the request's profile would have refused it; it was served.
  'would_refuse',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENTS)[number];

/**
 * Which refusal codes are security events, for refusals made in GraphQL and in the HTTP layer
 * alike. A plain NOT_FOUND (the thing is not there) is not one; a NOT_FOUND the policy threw for
 * "not yours" is, and carries the policy's mark (marks.ts).
 */
export const EVENT_BY_CODE: Readonly<Partial<Record<string, SecurityEventType>>> = Object.freeze({
  [ErrorCode.UNAUTHENTICATED]: 'auth_failure',
  [ErrorCode.FORBIDDEN]: 'authz_denied',
  [ErrorCode.BAD_USER_INPUT]: 'validation_failure',
  [ErrorCode.GRAPHQL_VALIDATION_FAILED]: 'validation_failure',
  [ErrorCode.GRAPHQL_PARSE_FAILED]: 'validation_failure',
  // Apollo's own code for a malformed request (e.g. variable coercion) before masking maps it.
  BAD_REQUEST: 'validation_failure',
  [ErrorCode.RATE_LIMITED]: 'limit_hit',
});
