import type { GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { describeViewer } from '../../auth/viewer.js';
import type { RequestIdentity } from '../../request.js';
import { AppError, ErrorCode, PUBLIC_CODES } from '../../errors.js';
import { z } from 'zod';
import { defineProtection } from '../protection.js';
import { libraryMessage } from './error-messages.js';

export interface MaskedErrorsOptions {
  log: Logger;
  /** Library messages are said again with only client-sent names (error-messages.ts). */
  production: boolean;
}

/**
 * Errors per answer, after keeping one per kind of mistake. Ten unknown directives, a hundred
 * repeated `@include` or a thousand bad fields are one mistake each: one error says it (with its
 * first location), and no document can make an answer long. Fields nulled by a dropped repeat
 * are still null in `data`.
 */
export const MAX_ERRORS_PER_ANSWER = 5;

// Apollo's own codes that are safe to show, mapped onto ours.
const APOLLO_CODE_MAP: Record<string, ErrorCode> = {
  BAD_REQUEST: ErrorCode.BAD_USER_INPUT,
  OPERATION_RESOLUTION_FAILURE: ErrorCode.BAD_USER_INPUT,
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.BAD_USER_INPUT,
  PERSISTED_QUERY_NOT_SUPPORTED: ErrorCode.BAD_USER_INPUT,
};

// Kinds whose library message is replaced in development too (it names the library).
const ALWAYS_REWORDED = new Set(['persisted-query']);

/** Extensions a client may see; everything else (stacktrace, exception, library details) is dropped. */
const ALLOWED_EXTENSIONS = new Set(['code', 'fieldErrors', 'retryAfter', 'requestId']);

const INTERNAL_MESSAGE = 'Internal server error.';

/** Our own error (AppError) says this message: it passes as written, in every mode. */
function isOurs(message: string, error: unknown): boolean {
  for (let e = error, hops = 0; e instanceof Error && hops < 5; hops++) {
    if (e instanceof AppError) return e.message === message;
    e = (e as { originalError?: unknown }).originalError;
  }
  return false;
}

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
export function createMaskedErrors({ log, production }: MaskedErrorsOptions): MaskedErrors {
  const originals = new WeakMap<GraphQLFormattedError, unknown>();
  /** The kind of mistake of each formatted error: repeats of one kind are dropped. */
  const kinds = new WeakMap<GraphQLFormattedError, string>();

  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = publicCode(formatted);
    if (code) {
      const extensions: Record<string, unknown> = { code };
      for (const [k, v] of Object.entries(formatted.extensions ?? {})) {
        if (ALLOWED_EXTENSIONS.has(k) && k !== 'code' && k !== 'requestId') extensions[k] = v;
      }
      let message = formatted.message;
      let kind = `${code}:${message}`;
      if (!isOurs(message, error)) {
        const library = libraryMessage(message, code);
        kind = `${code}:${library.kind}`;
        if (production || ALWAYS_REWORDED.has(library.kind)) message = library.safe;
      }
      const answer: GraphQLFormattedError = {
        message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions,
      };
      kinds.set(answer, kind);
      return answer;
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
          const result = response.body.singleResult;
          if (!result.errors) return;
          const { kept, dropped } = bound(result.errors);
          if (dropped > 0) result.errors = kept;
          const masked = kept.filter((e) => e.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR);
          for (const e of masked) {
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
                // Repeats dropped from the answer: counted here rather than logged one by one.
                ...(dropped > 0 ? { errorsDropped: dropped } : {}),
              },
              'unexpected error (masked for the client)',
            );
          }
        },
      };
    },
  };

  /** One error per kind of mistake, at most MAX_ERRORS_PER_ANSWER, in the order they came. */
  function bound(errors: readonly GraphQLFormattedError[]) {
    const seen = new Set<string>();
    const kept: GraphQLFormattedError[] = [];
    for (const e of errors) {
      const kind = kinds.get(e) ?? `${String(e.extensions?.code)}:${e.message}`;
      if (seen.has(kind) || kept.length >= MAX_ERRORS_PER_ANSWER) continue;
      seen.add(kind);
      kept.push(e);
    }
    return { kept, dropped: errors.length - kept.length };
  }

  return { formatError, plugin };
}

export const maskingProtection = defineProtection({
  name: 'masking',
  phase: 'response',
  summary:
    'Only public codes pass (the rest: a generic error with the request id, logged in full); production says library messages again naming only what the client sent; one error per kind of mistake, at most 5 per answer.',
  env: z.object({}),
  create: (_options, { log, production }) => {
    const masked = createMaskedErrors({ log, production });
    return {
      formatError: masked.formatError,
      plugin: masked.plugin,
      // Messages of public codes pass in both modes (parse and validation messages stay helpful
      // in development); in production Apollo removes the "Did you mean …" suggestions first.
      apollo: { includeStacktraceInErrorResponses: false, hideSchemaDetailsFromClientErrors: production },
    };
  },
});
