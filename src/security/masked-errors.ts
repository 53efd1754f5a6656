import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { ErrorCode, PUBLIC_CODES } from '../errors.js';

export interface MaskedErrorsOptions {
  log: Logger;
  /** Keep parse/validation messages helpful (development); production keeps them generic-safe. */
  production: boolean;
}

// Apollo's own codes that are safe to show, mapped onto ours.
const APOLLO_CODE_MAP: Record<string, ErrorCode> = {
  BAD_REQUEST: ErrorCode.BAD_USER_INPUT,
  OPERATION_RESOLUTION_FAILURE: ErrorCode.BAD_USER_INPUT,
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.BAD_USER_INPUT,
  PERSISTED_QUERY_NOT_SUPPORTED: ErrorCode.BAD_USER_INPUT,
};

const ALLOWED_EXTENSIONS = new Set(['code', 'fieldErrors', 'retryAfter', 'requestId']);

/**
 * formatError: errors with one of our public codes pass through with a whitelisted set of
 * extensions (never `stacktrace`, `exception`, or a library's details); anything else becomes
 * INTERNAL_SERVER_ERROR with a generic message, and the real error goes to the log only.
 */
export function createErrorMasker({ log }: MaskedErrorsOptions) {
  return (formatted: GraphQLFormattedError, error: unknown, requestId?: string): GraphQLFormattedError => {
    const rawCode = formatted.extensions?.code;
    const code = typeof rawCode === 'string' ? (APOLLO_CODE_MAP[rawCode] ?? rawCode) : undefined;
    if (code && code !== ErrorCode.INTERNAL_SERVER_ERROR && PUBLIC_CODES.has(code)) {
      const extensions: Record<string, unknown> = { code };
      for (const [k, v] of Object.entries(formatted.extensions ?? {})) {
        if (ALLOWED_EXTENSIONS.has(k) && k !== 'code') extensions[k] = v;
      }
      return {
        message: formatted.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions,
      };
    }
    const original = unwrapResolverError(error);
    log.error(
      {
        requestId,
        err: original instanceof Error ? original : { message: String(original) },
        path: formatted.path,
      },
      'unexpected error (masked for the client)',
    );
    return {
      message: 'Internal server error.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
    };
  };
}
