import type { ApolloServerPlugin } from '@apollo/server';
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { Request, RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { getRequestState } from '../http/request-state.js';
import { spanTime, traceDb, traceRedis } from './tracing-clients.js';
import { createTracingPlugin } from './tracing-plugin.js';

export { isTraced } from './tracing-clients.js';

// OpenTelemetry tracing (docs/tracing.md): one trace per /graphql request, exported over OTLP/HTTP
// when OTEL_EXPORTER_OTLP_ENDPOINT is set. Each app has a tracer provider of its own and none is
// registered globally: tests run many apps in one process, each with its own exporter.

export type TracingConfig = NonNullable<Config['tracing']>;

/** The bare shape of a GraphQL context the plugin needs: the Express request it belongs to. */
interface WithRequest {
  req: Request;
}

export interface Tracing {
  /** false: every part is a no-op and nothing is wrapped. */
  readonly enabled: boolean;
  /** First on /graphql: opens the request's server span and makes it the active context. */
  readonly middleware: RequestHandler;
  /** The GraphQL phases and slow resolvers as children of the request's span. */
  readonly plugin: ApolloServerPlugin<WithRequest>;
  /** A span per statement and transaction (SQL text only, never parameters). */
  traceDb(db: Db): Db;
  /** A span per command (its name only, never keys or values); patches this instance. */
  traceRedis(redis: Redis | undefined): Redis | undefined;
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Replaces the OTLP exporter and exports each span as it ends (tests: InMemorySpanExporter). */
  exporter?: SpanExporter | undefined;
}

const DEFAULT_SERVICE_NAME = 'secure-graphql-api';
const DEFAULT_RESOLVER_THRESHOLD_MS = 10;
const EXPORT_TIMEOUT_MS = 5000;

export function createTracing(config: TracingConfig | undefined, options: TracingOptions = {}): Tracing {
  const { exporter } = options;
  if (!config && !exporter) return disabledTracing();
  useAsyncLocalStorageContext();

  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config?.serviceName ?? DEFAULT_SERVICE_NAME }),
    spanProcessors: [
      exporter
        ? new SimpleSpanProcessor(exporter)
        : new BatchSpanProcessor(
            new OTLPTraceExporter({
              url: tracesUrl(config?.endpoint ?? ''),
              headers: parseHeaders(config?.headers),
              timeoutMillis: EXPORT_TIMEOUT_MS,
            }),
          ),
    ],
  });
  const tracer = provider.getTracer('secure-graphql-api');
  const contexts = new WeakMap<Request, Context>();

  return {
    enabled: true,
    middleware: createRequestSpanMiddleware(tracer, contexts),
    plugin: createTracingPlugin({
      tracer,
      requestContext: (req) => contexts.get(req),
      resolverThresholdMs: config?.resolverThresholdMs ?? DEFAULT_RESOLVER_THRESHOLD_MS,
    }),
    traceDb: (db) => traceDb(db, tracer),
    traceRedis: (redis) => (redis ? traceRedis(redis, tracer) : redis),
    // An unreachable collector must not hold the shutdown up (the exporter's own timeout bounds it).
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}

let contextManagerSet = false;

/**
 * Spans nest through async code only with a context manager. One per process, set once: the
 * context it carries is per request, so every app of the process can share it.
 */
function useAsyncLocalStorageContext(): void {
  if (contextManagerSet) return;
  contextManagerSet = true;
  const manager = new AsyncLocalStorageContextManager().enable();
  // Another one is already registered (an embedding process): use that one.
  if (!context.setGlobalContextManager(manager)) manager.disable();
}

function createRequestSpanMiddleware(tracer: Tracer, contexts: WeakMap<Request, Context>): RequestHandler {
  return (req, res, next) => {
    // A root span: a client's traceparent header is not trusted to choose our trace ids.
    const span = tracer.startSpan(
      `${req.method} /graphql`,
      {
        kind: SpanKind.SERVER,
        startTime: spanTime(),
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: req.method,
          [ATTR_HTTP_ROUTE]: '/graphql',
          // The path only: a GET request's query string carries the document and its variables.
          [ATTR_URL_PATH]: req.originalUrl.split('?')[0] ?? '/graphql',
          'request.id': requestIdOf(req),
        },
      },
      ROOT_CONTEXT,
    );
    const spanContext = trace.setSpan(ROOT_CONTEXT, span);
    contexts.set(req, spanContext);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(spanTime());
    };
    // 'close' too: a client that goes away before the answer never sees 'finish'.
    res.once('finish', end);
    res.once('close', end);
    // The body parser calls next() from the request stream's events; bound, their listeners run in
    // the request's context whatever context the stream emits them in (as OTel's http instrumentation).
    context.bind(spanContext, req);
    context.with(spanContext, () => next());
  };
}

function requestIdOf(req: Request): string {
  try {
    return getRequestState(req).requestId;
  } catch {
    return 'unknown';
  }
}

/**
 * OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base URL in the OpenTelemetry convention
 * (http://collector:4318); the traces path is appended unless the URL names it already.
 */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (!url.pathname.endsWith('/v1/traces')) url.pathname = `${url.pathname.replace(/\/$/, '')}/v1/traces`;
  return url.toString();
}

/** OTEL_EXPORTER_OTLP_HEADERS: `key=value,key2=value2`, values URL-encoded (the OTel format). */
export function parseHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    try {
      headers[key] = decodeURIComponent(value);
    } catch {
      headers[key] = value;
    }
  }
  return headers;
}

/** Tracing off: the request path pays one function call, and db and Redis are left as they are. */
function disabledTracing(): Tracing {
  return {
    enabled: false,
    middleware: (_req, _res, next) => next(),
    plugin: {},
    traceDb: (db) => db,
    traceRedis: (redis) => redis,
    shutdown: async () => undefined,
  };
}
