import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { RequestIdentity } from '../request.js';
import { identityFields, securityEvent } from './audit.js';
import { EVENT_BY_CODE, type SecurityEventType } from './events.js';
import { attributionOf, securityMarkOf } from './marks.js';
import { reportedOperationName } from './operation-name.js';

/** Paths kept per logged group (e.g. list items refused by a field limit). */
const MAX_PATHS = 10;

/**
 * The owner of a refusal no protection attributed: graphql-js's own parser (the token limit is a
 * parser option of documentLimits) and spec validation, Apollo's variable coercion, and the
 * domain's own checks.
 */
function libraryRefusal(code: string, error: GraphQLError): string {
  // graphql-js 16 says "more that N tokens"; a later version may fix the typo.
  if (code === 'GRAPHQL_PARSE_FAILED')
    return /Document contains more tha[nt] \d+ tokens/.test(error.message)
      ? 'documentLimits'
      : 'graphqlParser';
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'BAD_REQUEST') return 'graphqlValidation';
  return 'domain';
}

interface Group {
  event: SecurityEventType;
  /** The refusal's owner: the first protection of ours that refused, else the library's step. */
  protection: string;
  /** Every owner that refused, when there are several (one document, several broken rules). */
  protections: Set<string>;
  facts: Record<string, unknown> | undefined;
  code: string;
  count: number;
  paths: string[];
}

/**
 * Turns the refused errors of a GraphQL response into security events, one line per decision:
 * - an error the policy, @auth or parseInput marked (authz denials, including a "not yours"
 *   NOT_FOUND, and input validation) is one event, with the mark's details;
 * - every other refusal is grouped by kind (event and code) into one line with a count: a
 *   hostile document with hundreds of errors must not become hundreds of log lines.
 * Only codes, paths and ids are logged: never variables, messages with user input, or credentials.
 * (Refusals before GraphQL, such as a bad credential's 401, are written by the HTTP error handler.)
 */
export function createAuditPlugin({ log }: { log: Logger }): ApolloServerPlugin<RequestIdentity> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, request, operationName, document }) {
          const name = reportedOperationName({ operationName, request, document }) ?? null;
          const base = { ...identityFields(contextValue), operationName: name };
          const groups = new Map<string, Group>();
          for (const error of errors as readonly GraphQLError[]) {
            const code = error.extensions?.code;
            const mark = securityMarkOf(error);
            if (mark) {
              securityEvent(log, mark.event, {
                ...base,
                protection: mark.protection,
                path: error.path?.join('.'),
                code,
                ...mark.details,
              });
              continue;
            }
            const event = typeof code === 'string' ? EVENT_BY_CODE[code] : undefined;
            if (!event || typeof code !== 'string') continue;
            const attribution = attributionOf(error);
            if (attribution?.logged) continue; // the code that decided wrote the event
            const protection = attribution?.protection ?? libraryRefusal(code, error);
            // One decision (this request refused with this code) is one event, whatever the number
            // of rules it broke: keyed by kind, every owner listed.
            const key = `${event}:${code}`;
            let group = groups.get(key);
            if (!group) {
              group = {
                event,
                protection,
                protections: new Set(),
                facts: attribution?.facts,
                code,
                count: 0,
                paths: [],
              };
              groups.set(key, group);
            } else if (attribution && !group.facts) {
              group.protection = protection;
              group.facts = attribution.facts;
            }
            group.protections.add(protection);
            group.count++;
            if (error.path && group.paths.length < MAX_PATHS) group.paths.push(error.path.join('.'));
          }
          for (const { event, protection, protections, facts, code, count, paths } of groups.values()) {
            securityEvent(log, event, {
              ...base,
              protection,
              ...(protections.size > 1 ? { protections: [...protections] } : {}),
              ...facts,
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
