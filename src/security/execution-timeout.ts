import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { Logger } from 'pino';
import type { RequestIdentity } from '../request.js';
import { ErrorCode } from '../errors.js';
import { identityFields, securityEvent } from '../audit/audit.js';

export interface ExecutionTimeoutOptions {
  /** Wall-clock budget of one execution. Production default 10 000 ms (EXECUTION_TIMEOUT_MS). */
  timeoutMs: number;
  log: Logger;
}

interface Deadline {
  expired: boolean;
  /** Resolves (never rejects) when the deadline passes, so racing it leaks no rejection. */
  reached: Promise<typeof EXPIRED>;
}

const EXPIRED = Symbol('expired');
const deadlines = new WeakMap<object, Deadline>();

// Masked for the client as INTERNAL_SERVER_ERROR with the request id (API.md has no timeout
// code): the server did not finish, and the details belong in the log.
const timeoutError = () =>
  new GraphQLError('Execution timed out.', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });

/**
 * Cuts off an execution that runs too long. graphql-js cannot abort an execution, so the cut is
 * made at the resolvers: once the request's deadline passes, every resolver not yet started
 * fails at once, and every resolver still pending is answered with the timeout error instead of
 * being awaited. The response goes out with the partial data; work already handed to the
 * database finishes in the background and is discarded. One timer per request (not per field).
 *
 * Only fields with their own resolver are wrapped: default property reads cannot block.
 */
export function createExecutionTimeout({ timeoutMs, log }: ExecutionTimeoutOptions) {
  const transform = (schema: GraphQLSchema): GraphQLSchema =>
    mapSchema(schema, {
      [MapperKind.OBJECT_FIELD]: (fieldConfig) => {
        if (!fieldConfig.resolve || fieldConfig.resolve === defaultFieldResolver) return fieldConfig;
        const resolve = fieldConfig.resolve;
        return {
          ...fieldConfig,
          resolve(source, args, context: RequestIdentity, info) {
            const deadline = deadlines.get(context);
            if (deadline?.expired) throw timeoutError();
            const result: unknown = resolve(source, args, context, info);
            if (!deadline || !(result instanceof Promise)) return result;
            return Promise.race([result, deadline.reached]).then((value: unknown) => {
              if (value === EXPIRED) throw timeoutError();
              return value;
            });
          },
        };
      },
    });

  const plugin: ApolloServerPlugin<RequestIdentity> = {
    async requestDidStart() {
      return {
        async executionDidStart({ contextValue, operationName }) {
          let fire: (value: typeof EXPIRED) => void = () => undefined;
          const deadline: Deadline = {
            expired: false,
            reached: new Promise((resolve) => {
              fire = resolve;
            }),
          };
          deadlines.set(contextValue, deadline);
          const timer = setTimeout(() => {
            deadline.expired = true;
            fire(EXPIRED);
            securityEvent(log, 'limit_hit', {
              ...identityFields(contextValue),
              operationName,
              limit: 'execution_timeout',
              timeoutMs,
            });
          }, timeoutMs);
          timer.unref();
          return {
            async executionDidEnd() {
              clearTimeout(timer);
              deadlines.delete(contextValue);
            },
          };
        },
      };
    },
  };

  return { transform, plugin };
}

export interface ServerTimeouts {
  /** Time allowed to receive the request headers (slowloris). */
  headersTimeoutMs: number;
  /** Time allowed to receive the whole request (slow bodies). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
}

/**
 * Slow clients must not hold sockets open (slowloris, slow bodies): headers, whole requests and
 * idle keep-alive connections are each bounded. Node enforces the first two only when it sweeps
 * its connections, every `connectionsCheckingInterval` (30 s by default, which would let a
 * 10 s header timeout last 40 s), so the sweep runs at a quarter of the header timeout.
 * Must be called before listen(): the sweep interval is read when the server starts listening.
 */
export function applyServerTimeouts(server: http.Server, timeouts: ServerTimeouts): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  (server as http.Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    250,
    Math.floor(Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4),
  );
}
