import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import type { Command, Redis } from 'ioredis';
import type { Db, Queryable } from '../db/client.js';

// Client spans for the database and Redis. Only what identifies the statement or command is
// recorded: the SQL text (values travel as bind parameters, which are never read here) and the
// Redis command name (never its arguments: keys carry ids, values carry counters and sessions).

/** The objects a tracer wrapped or patched (tests check that tracing off leaves them alone). */
const traced = new WeakSet<object>();

export const isTraced = (target: object): boolean => traced.has(target);

/**
 * Every span of ours is given its start and end on this clock (ms since the epoch, sub-ms): the
 * SDK's own start times are Date.now()'s whole milliseconds, which would let a span seem to start
 * before the one that ended just before it, or a resolver's span outside its execute span.
 */
export const spanTime = (): number => performance.timeOrigin + performance.now();

/**
 * Runs `fn` in a span when there is a trace to belong to (a request's); work outside any request
 * (start-up, test fixtures, timers) is not traced, so it cannot open a root trace per statement.
 */
async function inSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = context.active();
  if (!trace.getSpan(parent)) return fn();
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes, startTime: spanTime() }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (error) {
    // The error's class or SQLSTATE only: a driver's message can quote the offending value.
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute('error.type', errorType(error));
    throw error;
  } finally {
    span.end(spanTime());
  }
}

function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z_]{1,32}$/.test(code)) return code;
  return error instanceof Error ? error.constructor.name : 'unknown';
}

const DB_SYSTEM = { 'db.system': 'postgresql' } as const;

/** The statement's first keyword (SELECT, INSERT …): a low-cardinality name for the operation. */
const operationOf = (text: string): string => /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'UNKNOWN';

function traceQueryable(q: Queryable, tracer: Tracer): Queryable {
  return {
    query: <T>(text: string, params?: readonly unknown[]) =>
      inSpan(
        tracer,
        'db.query',
        { ...DB_SYSTEM, 'db.operation.name': operationOf(text), 'db.query.text': text },
        () => q.query<T>(text, params),
      ),
    // Migration scripts: the span, not the script (long, and nothing a trace reader needs).
    exec: (script: string) => inSpan(tracer, 'db.exec', DB_SYSTEM, () => q.exec(script)),
  };
}

/** `db` with a span per statement and per transaction (the statements inside are its children). */
export function traceDb(db: Db, tracer: Tracer): Db {
  const { query, exec } = traceQueryable(db, tracer);
  const wrapped: Db = {
    driver: db.driver,
    stats: db.stats,
    pool: () => db.pool(),
    query,
    exec,
    transaction: (fn) =>
      inSpan(tracer, 'db.transaction', DB_SYSTEM, () =>
        db.transaction((tx) => fn(traceQueryable(tx, tracer))),
      ),
    ping: () => db.ping(),
    close: () => db.close(),
  };
  traced.add(wrapped);
  return wrapped;
}

/**
 * Patches this client instance's sendCommand (every command, pipelined or not, goes through it)
 * so that each command is a span `redis <COMMAND>`, ended when its reply (or error) arrives.
 */
export function traceRedis(redis: Redis, tracer: Tracer): Redis {
  if (traced.has(redis)) return redis;
  const original = redis.sendCommand;
  const patched = function (this: Redis, command: Command, ...rest: unknown[]): unknown {
    const parent = context.active();
    if (!trace.getSpan(parent)) return Reflect.apply(original, this, [command, ...rest]);
    const name = command.name.toUpperCase();
    const span = tracer.startSpan(
      `redis ${name}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system': 'redis', 'db.operation.name': name },
        startTime: spanTime(),
      },
      parent,
    );
    const result: unknown = Reflect.apply(original, this, [command, ...rest]);
    command.promise.then(
      () => span.end(spanTime()),
      (error: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute('error.type', errorType(error));
        span.end(spanTime());
      },
    );
    return result;
  };
  redis.sendCommand = patched as Redis['sendCommand'];
  traced.add(redis);
  return redis;
}
