import type { ApolloServerPlugin } from '@apollo/server';
import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { RequestIdentity } from '../../request.js';
import { ErrorCode } from '../../errors.js';
import { identityFields, securityEvent } from '../../audit/audit.js';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';

export interface ExecutionTimeoutOptions {
  /** Wall-clock budget of one execution (EXECUTION_TIMEOUT_MS). */
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

// Masked for the client as INTERNAL_SERVER_ERROR with the request id (docs/api.md has no timeout
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
              protection: 'executionTimeout',
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

export const executionTimeoutProtection = defineProtection({
  name: 'executionTimeout',
  phase: 'execution',
  summary: 'An execution past its deadline is cut off at the resolvers: masked error, partial data, logged.',
  env: z.object({
    EXECUTION_TIMEOUT_MS: int(100, 600_000)
      .default(10_000)
      .describe('Wall-clock budget of one execution, in ms.'),
  }),
  create: (options, { log }) => {
    const timeout = createExecutionTimeout({ timeoutMs: options.EXECUTION_TIMEOUT_MS, log });
    return { schemaTransform: timeout.transform, plugin: timeout.plugin };
  },
});
