import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type DocumentNode, type GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { describeViewer } from '../auth/viewer.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode } from '../errors.js';
import { securityEvent, type SecurityEventType } from '../logger.js';
import { securityMarkOf } from '../policy/security-marks.js';

export interface SecurityLogOptions {
  log: Logger;
}

/**
 * Which GraphQL error codes are security events. A plain NOT_FOUND (the thing is not there) is
 * not one; a NOT_FOUND the policy threw for "not yours" is, and carries the policy's mark.
 */
/** Paths kept per logged group (e.g. list items refused by a field limit). */
const MAX_PATHS = 10;

const EVENT_BY_CODE: Partial<Record<string, SecurityEventType>> = {
  [ErrorCode.UNAUTHENTICATED]: 'auth_failure',
  [ErrorCode.FORBIDDEN]: 'authz_denied',
  [ErrorCode.BAD_USER_INPUT]: 'validation_failure',
  [ErrorCode.GRAPHQL_VALIDATION_FAILED]: 'validation_failure',
  [ErrorCode.GRAPHQL_PARSE_FAILED]: 'validation_failure',
  // Apollo's own code for a malformed request (e.g. variable coercion) before our masking maps it.
  BAD_REQUEST: 'validation_failure',
  [ErrorCode.RATE_LIMITED]: 'limit_hit',
};

function soleOperationName(document: DocumentNode | undefined): string | undefined {
  const operations = document?.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION) ?? [];
  const only = operations.length === 1 ? operations[0] : undefined;
  return only?.kind === Kind.OPERATION_DEFINITION ? only.name?.value : undefined;
}

/**
 * One structured `securityEvent` line per refused error of a GraphQL response, with the request
 * id, client IP, viewer and operation name, so an attack leaves a trace that can be searched and
 * alerted on. Only codes and paths are logged: never variables, messages with user input, or
 * credentials. (Refusals before GraphQL, such as a bad credential's 401, are logged by the HTTP
 * error handler; errors marked by the policy layer are logged by its audit plugin.)
 */
export function createSecurityLogPlugin({ log }: SecurityLogOptions): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, request, operationName, document }) {
          // Apollo resolves operationName only after validation; for a document it refused, take
          // the name the client sent, or the name of the document's only operation.
          const name = operationName ?? request.operationName ?? soleOperationName(document);
          // One line per kind of refusal (event and code), with how many errors it covered: a
          // hostile document with hundreds of errors must not become hundreds of log lines.
          const groups = new Map<
            string,
            { event: SecurityEventType; code: string; count: number; paths: string[] }
          >();
          for (const error of errors as readonly GraphQLError[]) {
            // Errors the policy, @auth or parseInput marked (authz denials, including "not yours"
            // NOT_FOUND, and input validation) are written, with their details, by the policy's
            // audit plugin: one line per event, never two.
            if (securityMarkOf(error)) continue;
            const code = error.extensions?.code;
            const event = typeof code === 'string' ? EVENT_BY_CODE[code] : undefined;
            if (!event || typeof code !== 'string') continue;
            const key = `${event}:${code}`;
            let group = groups.get(key);
            if (!group) groups.set(key, (group = { event, code, count: 0, paths: [] }));
            group.count++;
            if (error.path && group.paths.length < MAX_PATHS) group.paths.push(error.path.join('.'));
          }
          for (const { event, code, count, paths } of groups.values()) {
            securityEvent(log, event, {
              requestId: contextValue.requestId,
              ip: contextValue.ip,
              viewer: describeViewer(contextValue.viewer),
              operationName: name ?? null,
              code,
              count,
              ...(paths.length === 1 ? { path: paths[0] } : paths.length > 1 ? { paths } : {}),
            });
          }
        },
      };
    },
  };
}
