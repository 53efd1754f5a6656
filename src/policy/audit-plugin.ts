import type { ApolloServerPlugin } from '@apollo/server';
import { describeViewer } from '../auth/viewer.js';
import type { GraphQLContext } from '../context.js';
import { securityEvent } from '../logger.js';
import { securityMarkOf } from './security-marks.js';

/**
 * Logs every authorization refusal and input-validation failure as a security event, with the
 * request id, client IP, viewer and operation name. The policy, the @auth directive and
 * parseInput mark the errors they throw; this plugin is the one place that writes them, so
 * services stay free of logging and ambient state.
 */
export function createAuthzAuditPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, request, operationName }) {
          for (const error of errors) {
            const mark = securityMarkOf(error);
            if (!mark) continue;
            securityEvent(contextValue.log, mark.event, {
              requestId: contextValue.requestId,
              ip: contextValue.ip,
              viewer: describeViewer(contextValue.viewer),
              // The resolved name (from the document) when there is one, else what the client sent.
              operationName: operationName ?? request.operationName ?? null,
              path: error.path?.join('.'),
              code: error.extensions.code,
              ...mark.details,
            });
          }
        },
      };
    },
  };
}
