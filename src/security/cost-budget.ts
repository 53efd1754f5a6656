import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { GraphQLContext } from '../context.js';
import { ErrorCode } from '../errors.js';
import { clientKey } from './client-key.js';
import { computeCost, createCostEstimator } from './cost-limit.js';
import type { LimiterFactory } from './limiter-factory.js';

export interface CostBudgetOptions {
  limiters: LimiterFactory;
  /** Most points one operation may cost; over it: 400. Production default 5 000 (MAX_COST). */
  maxCost: number;
  /** Points one viewer may spend per hour; over it: 429. Default 50 000 (COST_BUDGET_PER_HOUR). */
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
 * Cost analysis and the per-viewer cost budget, as one Apollo plugin:
 *
 * 1. didResolveOperation (after parse and validation, before execution): the operation's cost
 *    from the schema's @cost rules and the actual variables (cost-limit.ts). Over `maxCost`:
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
export function createCostBudgetPlugin(options: CostBudgetOptions): ApolloServerPlugin<GraphQLContext> {
  const { maxCost, budgetPerHour, production } = options;
  const budget = options.limiters.create({ name: 'cost', points: budgetPerHour, duration: WINDOW_SECONDS });
  const estimators = new WeakMap<GraphQLSchema, ComplexityEstimator>();
  const estimatorFor = (schema: GraphQLSchema) => {
    let estimator = estimators.get(schema);
    if (!estimator) {
      estimator = createCostEstimator(schema);
      estimators.set(schema, estimator);
    }
    return estimator;
  };
  const report = (requested: number, res: RateLimiterRes | null): CostReport => ({
    requested,
    limit: budgetPerHour,
    remaining: res ? Math.max(0, budgetPerHour - res.consumedPoints) : budgetPerHour,
    resetAt: new Date(Date.now() + (res ? res.msBeforeNext : WINDOW_SECONDS * 1000)).toISOString(),
  });

  return {
    async requestDidStart({ contextValue }) {
      const key = clientKey(contextValue.viewer, contextValue.ip);
      let requested = 0;
      let state: RateLimiterRes | null | undefined;
      // Refusals below are logged as security events by the security-log plugin (by code).

      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // execution reports the missing operation itself
          const result = computeCost(
            schema,
            estimatorFor(schema),
            document,
            operation.name?.value,
            request.variables,
          );
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
            state = await budget.consume(key, requested);
          } catch (error) {
            if (!(error instanceof RateLimiterRes)) throw error;
            // Refund the refused reservation: the operation will not run.
            state = await budget.reward(key, requested).catch(() => error);
            const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
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
          if (state === undefined) state = await budget.get(key).catch(() => null);
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: report(requested, state) };
        },
      };
    },
  };
}
