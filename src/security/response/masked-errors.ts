import type { GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { describeViewer } from '../../auth/viewer.js';
import type { RequestIdentity } from '../../request.js';
import { ErrorCode, PUBLIC_CODES } from '../../errors.js';
import { z } from 'zod';
import { defineProtection } from '../protection.js';

export interface MaskedErrorsOptions {
  log: Logger;
}

// Apollo's own codes that are safe to show, mapped onto ours.
const APOLLO_CODE_MAP: Record<string, ErrorCode> = {
  BAD_REQUEST: ErrorCode.BAD_USER_INPUT,
  OPERATION_RESOLUTION_FAILURE: ErrorCode.BAD_USER_INPUT,
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.BAD_USER_INPUT,
  PERSISTED_QUERY_NOT_SUPPORTED: ErrorCode.BAD_USER_INPUT,
};

// Apollo's own words for these name the library ("PersistedQueryNotSupported"): ours replace them.
const APOLLO_MESSAGES: Record<string, string> = {
  PERSISTED_QUERY_NOT_FOUND: 'Persisted queries are not accepted: send the whole document.',
  PERSISTED_QUERY_NOT_SUPPORTED: 'Persisted queries are not accepted: send the whole document.',
};

/** Extensions a client may see; everything else (stacktrace, exception, library details) is dropped. */
const ALLOWED_EXTENSIONS = new Set(['code', 'fieldErrors', 'retryAfter', 'requestId']);

const INTERNAL_MESSAGE = 'Internal server error.';

/** The public code of an error, or undefined when it must be masked. */
function publicCode(formatted: GraphQLFormattedError): ErrorCode | undefined {
  const raw = formatted.extensions?.code;
  const code = typeof raw === 'string' ? (APOLLO_CODE_MAP[raw] ?? raw) : undefined;
  return code && code !== ErrorCode.INTERNAL_SERVER_ERROR && PUBLIC_CODES.has(code)
    ? (code as ErrorCode)
    : undefined;
}

export interface MaskedErrors {
  /** Apollo's `formatError`. */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  /** Adds the request id to masked errors and logs the real error under that id. */
  plugin: ApolloServerPlugin<RequestIdentity>;
}

/**
 * Error masking, in two halves because Apollo's formatError is not given the request:
 * - `formatError` lets an error through only when it carries one of our public codes (with a
 *   whitelisted set of extensions); anything else becomes INTERNAL_SERVER_ERROR with a generic
 *   message. The original error is remembered against the masked object.
 * - `plugin.willSendResponse` sees the same objects with the request context: it stamps
 *   `extensions.requestId` on each masked error and logs the original with that id, so a client's
 *   report can be matched to exactly one log line. No stack, path, SQL or library message ever
 *   reaches the client, in any mode.
 */
export function createMaskedErrors({ log }: MaskedErrorsOptions): MaskedErrors {
  const originals = new WeakMap<GraphQLFormattedError, unknown>();

  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = publicCode(formatted);
    if (code) {
      const extensions: Record<string, unknown> = { code };
      for (const [k, v] of Object.entries(formatted.extensions ?? {})) {
        if (ALLOWED_EXTENSIONS.has(k) && k !== 'code' && k !== 'requestId') extensions[k] = v;
      }
      const raw = formatted.extensions?.code;
      return {
        message: (typeof raw === 'string' ? APOLLO_MESSAGES[raw] : undefined) ?? formatted.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions,
      };
    }
    const masked: GraphQLFormattedError = {
      message: INTERNAL_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
    originals.set(masked, unwrapResolverError(error));
    return masked;
  };

  const plugin: ApolloServerPlugin<RequestIdentity> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, request, operationName }) {
          if (response.body.kind !== 'single') return;
          for (const e of response.body.singleResult.errors ?? []) {
            if (e.extensions?.code !== ErrorCode.INTERNAL_SERVER_ERROR) continue;
            (e.extensions as Record<string, unknown>).requestId = contextValue.requestId;
            const original = originals.get(e);
            log.error(
              {
                requestId: contextValue.requestId,
                ip: contextValue.ip,
                viewer: describeViewer(contextValue.viewer),
                operationName: operationName ?? request.operationName ?? null,
                path: e.path,
                err: original instanceof Error ? original : { message: String(original) },
              },
              'unexpected error (masked for the client)',
            );
          }
        },
      };
    },
  };

  return { formatError, plugin };
}

export const maskingProtection = defineProtection({
  name: 'masking',
  phase: 'response',
  summary:
    'Only public error codes pass; anything else is a generic error with the request id, logged in full.',
  env: z.object({}),
  create: (_options, { log, production }) => {
    const masked = createMaskedErrors({ log });
    return {
      formatError: masked.formatError,
      plugin: masked.plugin,
      // Messages of public codes pass in both modes (parse and validation messages stay helpful
      // in development); in production Apollo removes the "Did you mean …" suggestions first.
      apollo: { includeStacktraceInErrorResponses: false, hideSchemaDetailsFromClientErrors: production },
    };
  },
});
