import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { RequestIdentity } from '../../request.js';
import { ErrorCode, retryAfterSeconds } from '../../errors.js';
import { clientKey } from '../client-key.js';
import { computeCost, createCostEstimator, type CostEstimator, type CostResult } from './cost-estimate.js';
import { assertTypeDefsListsBounded } from './list-bounds.js';
import type { LimiterFactory } from '../../store/limiters.js';
import { z } from 'zod';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';

export interface CostBudgetOptions {
  limiters: LimiterFactory;
  /** Most points one operation may cost; over it: 400 (MAX_COST). */
  maxCost: number;
  /** Points one viewer may spend per hour; over it: 429 (COST_BUDGET_PER_HOUR). */
  budgetPerHour: number;
  production: boolean;
}

/** What every response reports in `extensions.cost` (GitHub / Shopify style). */
export interface CostReport {
  requested: number;
  limit: number;
  remaining: number;
  resetAt: string;
}

const WINDOW_SECONDS = 3600;

/**
 * A zero-cost operation (`{ __typename }`, a refused one) spends nothing, so its report may come
 * from the viewer's last known budget state instead of a store round trip, when that state is at
 * most this old. Reports for operations that cost points always come from the store.
 */
const SNAPSHOT_MAX_AGE_MS = 1000;
/** Bound on remembered viewer states (oldest dropped first). */
const SNAPSHOT_MAX_ENTRIES = 10_000;
/** Variables larger than this (serialised) are costed afresh every time instead of cached. */
const CACHEABLE_VARIABLES_CHARS = 1024;
/** Bound on cached costs per document (one per distinct operation name and variables). */
const COSTS_PER_DOCUMENT = 64;

interface Snapshot {
  consumedPoints: number;
  /** Epoch ms when the window resets. */
  resetAt: number;
  takenAt: number;
}

/**
 * Cost analysis and the per-viewer cost budget, as one Apollo plugin:
 *
 * 1. didResolveOperation (after parse and validation, before execution): the operation's cost
 *    from the schema's @cost / @listSize and the actual variables (cost-estimate.ts: the model). Over `maxCost`:
 *    400 GRAPHQL_VALIDATION_FAILED, nothing runs.
 * 2. The cost is *reserved* in the viewer's hourly budget (Redis, shared by every instance, or
 *    memory) before execution, atomically, so concurrent requests cannot overspend it. Over
 *    budget: 429 RATE_LIMITED with `Retry-After` and `extensions.retryAfter`; the refused
 *    reservation is refunded, so a refused request spends nothing.
 * 3. willSendResponse: `extensions.cost = { requested, limit, remaining, resetAt }` on every
 *    response, refusals included (requested 0 when no operation was costed).
 *
 * Batched operations each pass through all three steps, so a batch is costed operation by
 * operation against the same budget.
 */
export function createCostBudgetPlugin(options: CostBudgetOptions): ApolloServerPlugin<RequestIdentity> {
  const { maxCost, budgetPerHour, production } = options;
  const budget = options.limiters.create({ name: 'cost', points: budgetPerHour, duration: WINDOW_SECONDS });
  const estimators = new WeakMap<GraphQLSchema, CostEstimator>();
  const estimatorFor = (schema: GraphQLSchema) => {
    let estimator = estimators.get(schema);
    if (!estimator) {
      estimator = createCostEstimator(schema);
      estimators.set(schema, estimator);
    }
    return estimator;
  };
  // The cost of a document depends only on the document, the operation and the variables, and
  // Apollo hands the same DocumentNode object for the same query text (its document store), so
  // repeated operations are costed once.
  const costs = new WeakMap<DocumentNode, Map<string, CostResult>>();
  const costOf = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | undefined,
    variables: Record<string, unknown> | undefined,
  ): CostResult => {
    const vars = variables === undefined ? '' : JSON.stringify(variables);
    const cacheable = vars.length <= CACHEABLE_VARIABLES_CHARS;
    const cacheKey = `${operationName ?? ''}\u0000${vars}`;
    let perDocument = costs.get(document);
    const cached = cacheable ? perDocument?.get(cacheKey) : undefined;
    if (cached) return cached;
    const result = computeCost(schema, estimatorFor(schema), document, operationName, variables);
    if (cacheable && result.ok) {
      if (!perDocument) costs.set(document, (perDocument = new Map()));
      if (perDocument.size >= COSTS_PER_DOCUMENT) perDocument.clear();
      perDocument.set(cacheKey, result);
    }
    return result;
  };

  const snapshots = new Map<string, Snapshot>();
  /** Records the viewer's budget state as the store just reported it, and returns it. */
  const remember = (key: string, res: RateLimiterRes): Snapshot => {
    const now = Date.now();
    const snapshot = { consumedPoints: res.consumedPoints, resetAt: now + res.msBeforeNext, takenAt: now };
    snapshots.delete(key); // re-insert: Map order is the eviction order
    if (snapshots.size >= SNAPSHOT_MAX_ENTRIES) {
      const oldest = snapshots.keys().next();
      if (!oldest.done) snapshots.delete(oldest.value);
    }
    snapshots.set(key, snapshot);
    return snapshot;
  };
  const freshSnapshot = (key: string): Snapshot | undefined => {
    const snapshot = snapshots.get(key);
    const now = Date.now();
    if (!snapshot || now - snapshot.takenAt > SNAPSHOT_MAX_AGE_MS || snapshot.resetAt <= now)
      return undefined;
    return snapshot;
  };
  const report = (requested: number, state: Snapshot | null): CostReport => ({
    requested,
    limit: budgetPerHour,
    remaining: state ? Math.max(0, budgetPerHour - state.consumedPoints) : budgetPerHour,
    resetAt: new Date(state ? state.resetAt : Date.now() + WINDOW_SECONDS * 1000).toISOString(),
  });

  return {
    async requestDidStart({ contextValue }) {
      const key = clientKey(contextValue.viewer, contextValue.ip);
      let requested = 0;
      let state: Snapshot | null | undefined;
      // Refusals below are logged as security events by the audit plugin (src/audit, by code).

      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // execution reports the missing operation itself
          const result = costOf(schema, document, operation.name?.value, request.variables);
          // Invalid variables: execution refuses them with a 400 before any resolver runs.
          if (!result.ok && result.reason === 'variables') return;
          if (!result.ok || result.cost > maxCost) {
            if (result.ok) requested = result.cost;
            throw new GraphQLError(
              production || !result.ok
                ? 'The operation is too costly.'
                : `The operation costs ${result.cost} points; the limit per operation is ${maxCost}.`,
              { extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, http: { status: 400 } } },
            );
          }
          requested = result.cost;
          if (requested === 0) return;
          try {
            state = remember(key, await budget.consume(key, requested));
          } catch (error) {
            if (!(error instanceof RateLimiterRes)) throw error;
            // Refund the refused reservation: the operation will not run.
            const refunded = await budget.reward(key, requested).catch(() => error);
            state = remember(key, refunded);
            const retryAfter = retryAfterSeconds(error.msBeforeNext);
            throw new GraphQLError('The cost budget for this period is spent; retry later.', {
              extensions: {
                code: ErrorCode.RATE_LIMITED,
                retryAfter,
                http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
              },
            });
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          if (state === undefined) {
            state = freshSnapshot(key) ?? null;
            if (!state) {
              const res = await budget.get(key).catch(() => null);
              state = res ? remember(key, res) : null;
            }
          }
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: report(requested, state) };
        },
      };
    },
  };
}

export const costProtection = defineProtection({
  name: 'cost',
  phase: 'execution',
  summary:
    'Cost per operation from @cost / @listSize (400 over it; every list bounded at start-up), an hourly budget per viewer (429); extensions.cost.',
  env: z.object({
    MAX_COST: int(1, 10_000_000).default(5000).describe('Most points one operation may cost.'),
    COST_BUDGET_PER_HOUR: int(1, 100_000_000)
      .default(50_000)
      .describe('Points one viewer may spend per hour.'),
  }),
  checkTypeDefs: assertTypeDefsListsBounded,
  create: (options, { limiters, production }) => ({
    plugin: createCostBudgetPlugin({
      limiters,
      maxCost: options.MAX_COST,
      budgetPerHour: options.COST_BUDGET_PER_HOUR,
      production,
    }),
  }),
});
