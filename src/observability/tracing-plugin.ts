import type { ApolloServerPlugin } from '@apollo/server';
import { context, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Request } from 'express';
import { responsePathAsArray } from 'graphql';
import { spanTime } from './tracing-clients.js';

// The GraphQL phases of a request as children of its HTTP span: parse, validate, cost (from the
// resolved operation to the start of execution: every plugin's didResolveOperation runs there,
// which is where the cost protection estimates and reserves), execute, and the resolvers that
// took at least the threshold. Never the document's variables or arguments.

/** The bare shape of a GraphQL context the plugin needs: the Express request it belongs to. */
interface WithRequest {
  req: Request;
}

/** Operation names are client text: kept, but bounded. */
const MAX_NAME = 128;

function endSpan(span: Span | undefined, error?: unknown): void {
  if (!span) return;
  if (error) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(spanTime());
}

export function createTracingPlugin(options: {
  tracer: Tracer;
  /** The HTTP span's context of a request (tracing.ts), the parent of every span here. */
  requestContext: (req: Request) => Context | undefined;
  resolverThresholdMs: number;
}): ApolloServerPlugin<WithRequest> {
  const { tracer, requestContext, resolverThresholdMs } = options;
  return {
    async requestDidStart({ contextValue }) {
      // Explicit parent: Apollo's hooks may run after a stream callback that lost the async context.
      const parent = requestContext(contextValue.req) ?? context.active();
      const httpSpan = trace.getSpan(parent);
      const child = (name: string) => tracer.startSpan(name, { startTime: spanTime() }, parent);
      let cost: Span | undefined;
      const endCost = (error?: unknown) => {
        endSpan(cost, error);
        cost = undefined;
      };
      return {
        async parsingDidStart() {
          const span = child('graphql.parse');
          return async (error) => endSpan(span, error);
        },
        async validationDidStart() {
          const span = child('graphql.validate');
          return async (errors) => endSpan(span, errors && errors.length > 0);
        },
        async didResolveOperation({ operationName, operation }) {
          const attributes = {
            'graphql.operation.name': (operationName ?? '').slice(0, MAX_NAME),
            'graphql.operation.type': operation?.operation ?? 'unknown',
          };
          httpSpan?.setAttributes(attributes);
          cost = tracer.startSpan('graphql.cost', { attributes, startTime: spanTime() }, parent);
        },
        async executionDidStart({ operationName, operation }) {
          endCost();
          const execute = tracer.startSpan(
            'graphql.execute',
            {
              startTime: spanTime(),
              attributes: {
                'graphql.operation.name': (operationName ?? '').slice(0, MAX_NAME),
                'graphql.operation.type': operation?.operation ?? 'unknown',
              },
            },
            parent,
          );
          const executeContext = trace.setSpan(parent, execute);
          return {
            willResolveField({ info }) {
              const started = spanTime();
              return (error) => {
                const ended = spanTime();
                if (ended - started < resolverThresholdMs) return;
                // Made after the fact: only a slow resolver is worth a span of its own.
                const span = tracer.startSpan(
                  `resolve ${info.parentType.name}.${info.fieldName}`,
                  {
                    startTime: started,
                    attributes: {
                      'graphql.field.name': info.fieldName,
                      'graphql.field.parent_type': info.parentType.name,
                      'graphql.field.path': responsePathAsArray(info.path).join('.'),
                    },
                  },
                  executeContext,
                );
                if (error) span.setStatus({ code: SpanStatusCode.ERROR });
                span.end(ended);
              };
            },
            async executionDidEnd(error) {
              endSpan(execute, error);
            },
          };
        },
        // Refused before execution (the cost limit, a budget): the cost span ends with the error.
        async didEncounterErrors() {
          endCost(true);
        },
        async willSendResponse() {
          endCost();
        },
      };
    },
  };
}
