import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { reportedOperationName } from '../audit/operation-name.js';
import type { Db } from '../db/client.js';

// Prometheus metrics (prom-client), one registry per app: what the protections refused and why,
// what clients spend, which store the limiters count in, and how the pools and the event loop
// are doing. Served on a listener of its own (observability/metrics-server.ts), never on the
// public port. Every name is in METRIC_NAMES: the dashboard and alert rules in
// examples/monitoring are tested to use only these.

/** Every metric this app exports (besides prom-client's default process and Node.js metrics). */
export const METRIC_NAMES = {
  requests: 'graphql_requests_total',
  duration: 'graphql_request_duration_seconds',
  securityEvents: 'security_events_total',
  costRequested: 'graphql_cost_requested',
  costActual: 'graphql_cost_actual',
  budgetRemaining: 'graphql_cost_budget_remaining_ratio',
  limiterStore: 'limiter_store_state',
  limiterFailovers: 'limiter_store_failovers_total',
  redisUp: 'redis_up',
  dbPool: 'db_pool_connections',
} as const;

/**
 * How a /graphql request ended: `ok` (200, no error), `graphql_error` (200 with errors: a refused
 * field, a validation error), `refused` (4xx before or instead of execution: credentials, limits,
 * malformed requests), `server_error` (5xx).
 */
export type Outcome = 'ok' | 'graphql_error' | 'refused' | 'server_error';

/**
 * Operation-name labels are client text: a label value per name would let a client create
 * unbounded series. A name gets its own value only if it is a GraphQL name of at most 64
 * characters, its document passed validation, and fewer than MAX_OPERATION_NAMES names have one;
 * every other name is `other`. An operation without a name is `anonymous`; a request refused
 * before its document was read or validated is `unknown`.
 */
export const MAX_OPERATION_NAMES = 100;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/** What the metrics learn about one /graphql request as it goes. */
interface Observed {
  started: bigint;
  operation: string;
  graphqlErrors: boolean;
  /** The response's result, whose extensions are read once it is sent (see willSendResponse). */
  result: { extensions?: Record<string, unknown> } | undefined;
}

/** The bare shape of a GraphQL context the plugin needs: the Express request it belongs to. */
interface WithRequest {
  req: Request;
}

export interface Metrics {
  /** false: every method is a no-op (METRICS_PORT unset). */
  readonly enabled: boolean;
  readonly registry: Registry;
  /** First on /graphql: times the request and counts it by operation and outcome when it ends. */
  readonly requestTimer: RequestHandler;
  /** Names the operation, notes GraphQL errors, and records requested and actual cost. */
  readonly plugin: ApolloServerPlugin<WithRequest>;
  /** One increment per security event (audit.ts calls it for every event it writes). */
  securityEvent(event: string, protection: string, code: string): void;
  /** The limiters' store switched (or is, at start). */
  limiterStore(store: 'redis' | 'memory', failover: boolean): void;
  /** Reports the pools' state at each scrape. */
  watch(pools: { db: Db; redis: Redis | undefined }): void;
}

const BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
const BUCKETS_COST = [0, 1, 5, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000];
const BUCKETS_RATIO = [0, 0.1, 0.25, 0.5, 0.75, 1];

interface CostReport {
  requested?: unknown;
  actual?: unknown;
  limit?: unknown;
  remaining?: unknown;
}

const numberOr = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

export function createMetrics({ enabled }: { enabled: boolean }): Metrics {
  const registry = new Registry();
  if (!enabled) return disabledMetrics(registry);
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: METRIC_NAMES.requests,
    help: 'GraphQL HTTP requests by operation name (bounded) and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: METRIC_NAMES.duration,
    help: 'Time from the request reaching /graphql to the end of the response, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: BUCKETS_SECONDS,
    registers: [registry],
  });
  const securityEvents = new Counter({
    name: METRIC_NAMES.securityEvents,
    help: 'Security events (docs/observability.md): one per decision, by event, protection and code.',
    labelNames: ['event', 'protection', 'code'] as const,
    registers: [registry],
  });
  const costRequested = new Histogram({
    name: METRIC_NAMES.costRequested,
    help: 'Estimated cost of each operation before it ran, by operation.',
    labelNames: ['operation'] as const,
    buckets: BUCKETS_COST,
    registers: [registry],
  });
  const costActual = new Histogram({
    name: METRIC_NAMES.costActual,
    help: 'Cost of each operation on the real list sizes (what the budget was charged), by operation.',
    labelNames: ['operation'] as const,
    buckets: BUCKETS_COST,
    registers: [registry],
  });
  const budgetRemaining = new Histogram({
    name: METRIC_NAMES.budgetRemaining,
    help: 'Share of the caller’s hourly cost budget left after each operation (bands: 0, 10, 25, 50, 75, 100 %).',
    buckets: BUCKETS_RATIO,
    registers: [registry],
  });
  const limiterStore = new Gauge({
    name: METRIC_NAMES.limiterStore,
    help: 'Where the limiters count: 1 for the store in use (redis, or the in-memory insurance), 0 for the other.',
    labelNames: ['store'] as const,
    registers: [registry],
  });
  const limiterFailovers = new Counter({
    name: METRIC_NAMES.limiterFailovers,
    help: 'Switches of the limiters’ store, by the store switched to.',
    labelNames: ['to'] as const,
    registers: [registry],
  });
  // Zero series exist from the start, so rate() and absent() behave before the first event.
  limiterFailovers.inc({ to: 'memory' }, 0);
  limiterFailovers.inc({ to: 'redis' }, 0);

  const names = new Set<string>();
  const operationLabel = (name: string | null | undefined, validated: boolean): string => {
    if (!name) return 'anonymous';
    if (names.has(name)) return name;
    if (!validated || !OPERATION_NAME.test(name) || names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  };

  const recordCost = (operation: string, cost: CostReport) => {
    const requested = numberOr(cost.requested);
    const actual = numberOr(cost.actual);
    const limit = numberOr(cost.limit);
    const remaining = numberOr(cost.remaining);
    if (requested !== undefined) costRequested.observe({ operation }, requested);
    if (actual !== undefined) costActual.observe({ operation }, actual);
    if (limit !== undefined && limit > 0 && remaining !== undefined)
      budgetRemaining.observe(Math.min(1, Math.max(0, remaining / limit)));
  };

  const observed = new WeakMap<Request, Observed>();

  const requestTimer: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const seen: Observed = {
      started: process.hrtime.bigint(),
      operation: 'unknown',
      graphqlErrors: false,
      result: undefined,
    };
    observed.set(req, seen);
    res.once('finish', () => {
      const status = res.statusCode;
      const outcome: Outcome =
        status >= 500
          ? 'server_error'
          : status >= 400
            ? 'refused'
            : seen.graphqlErrors
              ? 'graphql_error'
              : 'ok';
      const labels = { operation: seen.operation, outcome };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - seen.started) / 1e9);
      const cost = seen.result?.extensions?.cost as CostReport | undefined;
      if (cost) recordCost(seen.operation, cost);
    });
    next();
  };

  const plugin: ApolloServerPlugin<WithRequest> = {
    async requestDidStart({ contextValue }) {
      const seen = observed.get(contextValue.req);
      return {
        async didResolveOperation({ operationName, request }) {
          if (seen) seen.operation = operationLabel(operationName ?? request.operationName, true);
        },
        async didEncounterErrors({ request, operationName, document }) {
          if (!seen) return;
          seen.graphqlErrors = true;
          if (seen.operation === 'unknown')
            seen.operation = operationLabel(
              reportedOperationName({ operationName, request, document }),
              false,
            );
        },
        async willSendResponse({ response }) {
          // Apollo runs every plugin's willSendResponse at once, and the cost report is added by
          // another plugin after an await: keep the extensions object and read it once the
          // response has been sent (the request timer's 'finish').
          if (seen && response.body.kind === 'single') seen.result = response.body.singleResult;
        },
      };
    },
  };

  return {
    enabled: true,
    registry,
    requestTimer,
    plugin,
    securityEvent(event, protection, code) {
      securityEvents.inc({ event, protection, code });
    },
    limiterStore(store, failover) {
      limiterStore.set({ store }, 1);
      limiterStore.set({ store: store === 'redis' ? 'memory' : 'redis' }, 0);
      if (failover) limiterFailovers.inc({ to: store });
    },
    watch({ db, redis }) {
      new Gauge({
        name: METRIC_NAMES.redisUp,
        help: 'Whether the Redis client is connected and ready (1) or not (0); absent without REDIS_URL.',
        registers: redis ? [registry] : [],
        collect() {
          this.set(redis?.status === 'ready' ? 1 : 0);
        },
      });
      new Gauge({
        name: METRIC_NAMES.dbPool,
        help: 'Database connections by state: total, idle, and waiting (requests queued for a connection).',
        labelNames: ['state'] as const,
        registers: [registry],
        collect() {
          const pool = db.pool();
          this.set({ state: 'total' }, pool.total);
          this.set({ state: 'idle' }, pool.idle);
          this.set({ state: 'waiting' }, pool.waiting);
        },
      });
    },
  };
}

/** Metrics off: nothing is counted, and the request path pays one function call. */
function disabledMetrics(registry: Registry): Metrics {
  return {
    enabled: false,
    registry,
    requestTimer: (_req, _res, next) => next(),
    plugin: {},
    securityEvent: () => undefined,
    limiterStore: () => undefined,
    watch: () => undefined,
  };
}
