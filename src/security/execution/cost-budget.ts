import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { RequestIdentity } from '../../request.js';
import { AppError, ErrorCode, retryAfterSeconds } from '../../errors.js';
import { attributeTo } from '../../audit/marks.js';
import { clientKey } from '../client-key.js';
import { computeCost, createCostEstimator, type CostEstimator, type CostResult } from './cost-estimate.js';
import { assertTypeDefsListsBounded } from './list-bounds.js';
import type { LimiterFactory } from '../../store/limiters.js';
import { z } from 'zod';
import { int } from '../options.js';
import { defineProtection, type DocumentRules } from '../protection.js';
import type { Profiles } from '../profiles.js';
import { wouldRefuse as measured } from '../measure.js';
import type { CountingLimiter } from '../../store/leased-limiter.js';

export interface CostBudgetOptions {
  limiters: LimiterFactory;
  /** Most points one operation may cost; over it: 400 (MAX_COST). */
  maxCost: number;
  /** Points one account (any token or key of it), or anonymous network, may spend per hour (COST_BUDGET_PER_HOUR). */
  budgetPerHour: number;
  production: boolean;
  /**
   * The client profiles: a request's profile sets its own `cost` and `budgetPerHour` (the two
   * above are the environment's), or only measures them; `maxCost` above every profile's is the
   * ceiling even in measure mode.
   */
  profiles?: Profiles;
  /** The defence's document rules, for the dry run (estimateCost); read at request time. */
  documentRules?: () => DocumentRules;
}

/** What every response reports in `extensions.cost` (GitHub / Shopify style). */
export interface CostReport {
  requested: number;
  /** What the operation really cost (the model on the real list sizes); 0 when it did not run. */
  actual: number;
  limit: number;
  remaining: number;
  resetAt: string;
  /** The client profile whose limits these are. */
  profile: string;
}

const WINDOW_SECONDS = 3600;

/** Variables larger than this (serialised) are costed afresh every time instead of cached. */
const CACHEABLE_VARIABLES_CHARS = 1024;
/** Bound on cached costs per document (one per distinct operation name and variables). */
const COSTS_PER_DOCUMENT = 64;

/** The viewer's budget as the limiter last reported it. */
interface Snapshot {
  consumedPoints: number;
  /** Epoch ms when the window resets. */
  resetAt: number;
}

/**
 * Cost analysis and the per-viewer cost budget, as one Apollo plugin:
 *
 * 1. didResolveOperation (after parse and validation, before execution): the operation's cost
 *    from the schema's @cost / @listSize and the actual variables (cost-estimate.ts: the model). Over `maxCost`:
 *    400 GRAPHQL_VALIDATION_FAILED, nothing runs.
 * 2. The cost is *reserved* in the viewer's hourly budget (leased from Redis, shared by every
 *    instance, or memory; store/leased-limiter.ts; client-key.ts: per account, whichever token or API key of it is used, and per
 *    client network when anonymous) before execution, atomically, so concurrent requests cannot overspend it. Over
 *    budget: 429 RATE_LIMITED with `Retry-After` and `extensions.retryAfter`; a refused
 *    reservation spends nothing.
 * 3. willSendResponse, settlement: the *actual* cost is the same model walked along the response
 *    data with the real list sizes (cost-estimate.ts, mode actual); the viewer pays it: the
 *    difference is refunded (`reward(requested - actual)`), or, should the actual exceed the
 *    estimate, the extra is consumed without refusing and logged. An operation that did not run
 *    costs 0.
 * 4. `extensions.cost = { requested, actual, limit, remaining, resetAt }` on every response,
 *    refusals included (requested 0 when no operation was costed), `remaining` after settlement.
 *
 * Batched operations each pass through every step, so a batch is costed operation by operation
 * against the same budget. The same closure resolves the priced dry run, Query.estimateCost.
 */
export function createCostBudgetPlugin(options: CostBudgetOptions): ApolloServerPlugin<RequestIdentity> {
  return createCostBudget(options).plugin;
}

/** A refusal the cost protection would have made, served in measure mode: one event. */
const wouldRefuse = (identity: RequestIdentity, code: ErrorCode, facts: Record<string, unknown>) =>
  measured(identity, 'cost', code, facts);

/** The arguments of Query.estimateCost (schema/cost.graphql). */
interface EstimateCostArgs {
  query: string;
  variables?: unknown;
  operationName?: string | null;
}

/** A library message (parse, validation, coercion) carried out of the dry run: masking rewords it. */
const coded = (code: ErrorCode, message: string) => new GraphQLError(message, { extensions: { code } });

/**
 * The plugin, and the resolver of the priced dry run (Query.estimateCost): one budget, one
 * estimator.
 */
export function createCostBudget(options: CostBudgetOptions): {
  plugin: ApolloServerPlugin<RequestIdentity>;
  estimateCost: GraphQLFieldResolver<unknown, RequestIdentity, EstimateCostArgs>;
} {
  const { maxCost, budgetPerHour, production } = options;
  // Leased (store/leased-limiter.ts): reservations and refunds are counted in memory on
  // allowances leased from Redis, never over the budget across instances. A profile with a
  // budget of its own counts on a limiter of that size (keys apart); the environment's keeps `cost`.
  const budgets = new Map<number, CountingLimiter>();
  const budgetOf = (points: number): CountingLimiter => {
    let budget = budgets.get(points);
    if (!budget) {
      budget = options.limiters.createLeased({
        name: points === budgetPerHour ? 'cost' : `cost:${points}`,
        points,
        duration: WINDOW_SECONDS,
      });
      budgets.set(points, budget);
    }
    return budget;
  };
  /** The limits a request is held to: its profile's, or the environment's. */
  const limitsOf = (identity: RequestIdentity) => {
    const measure = identity.profile?.measure.has('cost') ?? false;
    const ownBudget = identity.profile?.limits.budgetPerHour ?? budgetPerHour;
    const ceiling = options.profiles?.current().ceiling;
    return {
      maxCost: identity.profile?.limits.cost ?? maxCost,
      /** The budget enforced: the profile's, or in measure mode the ceiling's (the highest). */
      budgetPerHour: measure ? Math.max(budgetPerHour, ceiling?.budgetPerHour ?? 0) : ownBudget,
      /** The profile's own budget: in measure mode, spending past it is logged. */
      ownBudget,
      measure,
      ceiling: Math.max(maxCost, ceiling?.cost ?? 0),
      profile: identity.profile?.name ?? 'default',
    };
  };
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

  const snapshotOf = (res: RateLimiterRes): Snapshot => ({
    consumedPoints: res.consumedPoints,
    resetAt: Date.now() + res.msBeforeNext,
  });
  /**
   * The budget of a viewer whose operation spent nothing (`{ __typename }`, a refused one): the
   * leased limiter answers from its lease, or reads the store at most once a second per key.
   */
  const currentState = async (key: string, points: number): Promise<Snapshot | null> => {
    const res = await budgetOf(points).get(key);
    return res ? snapshotOf(res) : null;
  };
  const report = (
    requested: number,
    actual: number,
    state: Snapshot | null,
    limits: { budgetPerHour: number; profile: string },
  ): CostReport => ({
    requested,
    actual,
    limit: limits.budgetPerHour,
    remaining: state ? Math.max(0, limits.budgetPerHour - state.consumedPoints) : limits.budgetPerHour,
    resetAt: new Date(state ? state.resetAt : Date.now() + WINDOW_SECONDS * 1000).toISOString(),
    profile: limits.profile,
  });

  const plugin: ApolloServerPlugin<RequestIdentity> = {
    async requestDidStart({ contextValue }) {
      const key = clientKey(contextValue.viewer, contextValue.network);
      const limits = limitsOf(contextValue);
      const budget = budgetOf(limits.budgetPerHour);
      let requested = 0;
      /** The reservation made before execution (settled in willSendResponse). */
      let reserved: Costed | undefined;
      let executed = false;
      let state: Snapshot | null | undefined;
      // Refusals below are logged as security events by the audit plugin (src/audit, by code).

      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // execution reports the missing operation itself
          if (!schema.getRootType(operation.operation)) {
            // No root type (there are no subscriptions): say so, rather than "too costly".
            throw new AppError(
              ErrorCode.GRAPHQL_VALIDATION_FAILED,
              `This API has no ${operation.operation} operations.`,
              { http: { status: 400 } },
            );
          }
          const result = costOf(schema, document, operation.name?.value, request.variables);
          // Invalid variables: execution refuses them with a 400 before any resolver runs.
          if (!result.ok && result.reason === 'variables') return;
          // Measure mode serves an operation over the profile's limit, never over the ceiling.
          const measured = limits.measure && result.ok && result.cost <= limits.ceiling;
          if (!result.ok || (result.cost > limits.maxCost && !measured)) {
            if (result.ok) requested = result.cost;
            throw attributeTo(
              new AppError(
                ErrorCode.GRAPHQL_VALIDATION_FAILED,
                production || !result.ok
                  ? 'The operation is too costly.'
                  : `The operation costs ${result.cost} points; the limit per operation is ${limits.maxCost}.`,
                { http: { status: 400 } },
              ),
              'cost',
              { facts: { limit: limits.maxCost, observed: result.ok ? result.cost : 'uncomputable' } },
            );
          }
          if (result.cost > limits.maxCost)
            wouldRefuse(contextValue, ErrorCode.GRAPHQL_VALIDATION_FAILED, {
              limit: limits.maxCost,
              observed: result.cost,
            });
          requested = result.cost;
          if (requested === 0) return;
          try {
            state = snapshotOf(await budget.consume(key, requested));
            if (limits.measure && state.consumedPoints > limits.ownBudget)
              wouldRefuse(contextValue, ErrorCode.RATE_LIMITED, {
                limit: limits.ownBudget,
                requested,
                observed: state.consumedPoints,
              });
            reserved = {
              schema,
              document,
              operationName: operation.name?.value,
              variables: request.variables,
            };
          } catch (error) {
            if (!(error instanceof RateLimiterRes)) throw error;
            // A refused reservation spends nothing (leased limiter): the operation will not run.
            state = snapshotOf(error);
            const retryAfter = retryAfterSeconds(error.msBeforeNext);
            throw attributeTo(
              new AppError(ErrorCode.RATE_LIMITED, 'The cost budget for this period is spent; retry later.', {
                retryAfter,
                http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
              }),
              'cost',
              { facts: { requested, remaining: error.remainingPoints } },
            );
          }
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({ response }) {
          // Settlement: the actual cost is computed first, synchronously, on the data as
          // execution left it (before a later plugin, the response guards, may replace it).
          let actual = 0;
          if (reserved) {
            actual = executed ? actualCost(reserved, requested, response.body as ResponseBody) : 0;
            state = await settle(budget, key, requested, actual, state ?? null, contextValue);
          }
          if (response.body.kind !== 'single') return;
          if (state === undefined) state = await currentState(key, limits.budgetPerHour).catch(() => null);
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: report(requested, actual, state, limits) };
        },
      };
    },
  };

  /**
   * What the operation really cost: the same model walked along the response data
   * (cost-estimate.ts, mode actual). When that cannot be told (an incremental response, a walker
   * error), the reservation stands.
   */
  const actualCost = (costed: Costed, requestedPoints: number, body: ResponseBody): number => {
    if (body.kind !== 'single') return requestedPoints;
    const { data, errors } = body.singleResult;
    const result = computeCost(
      costed.schema,
      estimatorFor(costed.schema),
      costed.document,
      costed.operationName,
      costed.variables,
      { kind: 'actual', data, errors },
    );
    return result.ok ? result.cost : requestedPoints;
  };

  /**
   * Settlement: the reservation was `requested`; the viewer pays `actual`. Below it, the
   * difference is refunded; above it (the model should prevent it: a list longer than its bound),
   * the extra is consumed without refusing anything (the answer is already built) and logged.
   */
  const settle = async (
    budget: CountingLimiter,
    key: string,
    requestedPoints: number,
    actual: number,
    state: Snapshot | null,
    identity: RequestIdentity,
  ): Promise<Snapshot | null> => {
    try {
      if (actual < requestedPoints) return snapshotOf(await budget.reward(key, requestedPoints - actual));
      if (actual > requestedPoints) {
        identity.log.warn(
          { requested: requestedPoints, actual },
          'cost: the operation cost more than its estimate (a list longer than its bound)',
        );
        // Spent whatever the budget's state: the work is done.
        return snapshotOf(await budget.penalty(key, actual - requestedPoints));
      }
    } catch (error) {
      identity.log.warn({ err: error }, 'cost: settlement failed; the reservation stands');
    }
    return state;
  };

  /**
   * The priced dry run (Query.estimateCost): the document meets every rule a real request meets
   * (parse with the defence's parse options, the spec rules and the protections' validation
   * rules, introspection when it is off), is priced by the same model with the variables, and
   * nothing runs or is charged. A document a real request would refuse gets the same code, as a
   * field error of estimateCost (the dry run itself is a valid operation: status 200).
   */
  const estimateCost: GraphQLFieldResolver<unknown, RequestIdentity, EstimateCostArgs> = async (
    _source,
    args,
    context,
    info,
  ) => {
    const rules = options.documentRules?.() ?? {
      parseOptions: {},
      validationRules: [],
      validationMaxErrors: undefined,
      introspection: true,
      afterValidation: () => undefined,
    };
    let document: DocumentNode;
    try {
      document = parse(args.query, rules.parseOptions);
    } catch (error) {
      throw coded(
        ErrorCode.GRAPHQL_PARSE_FAILED,
        error instanceof GraphQLError ? error.message : 'Syntax Error.',
      );
    }
    const validationRules = [
      ...specifiedRules,
      ...rules.validationRules,
      ...(rules.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ];
    const invalid = validate(info.schema, document, validationRules, {
      ...(rules.validationMaxErrors !== undefined ? { maxErrors: rules.validationMaxErrors } : {}),
    });
    const first = invalid[0];
    if (first) {
      // Our own rules' messages pass as written; graphql-js's are reworded by masking.
      throw first instanceof AppError
        ? new AppError(ErrorCode.GRAPHQL_VALIDATION_FAILED, first.message)
        : coded(ErrorCode.GRAPHQL_VALIDATION_FAILED, first.message);
    }
    const variables = args.variables ?? undefined;
    if (variables !== undefined && (typeof variables !== 'object' || Array.isArray(variables)))
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'Variables must be an object.');
    const operationName = args.operationName ?? undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation)
      throw coded(
        ErrorCode.BAD_USER_INPUT,
        operationName === undefined
          ? 'Must provide operation name if query contains multiple operations.'
          : `Unknown operation named "${operationName}".`,
      );
    // The caller's own limits (its client profile's), as a real request of this caller meets them.
    const refused = rules.afterValidation({ schema: info.schema, document, operation, identity: context });
    if (refused) throw new AppError(ErrorCode.GRAPHQL_VALIDATION_FAILED, refused.message);
    const result = computeCost(
      info.schema,
      estimatorFor(info.schema),
      document,
      operationName,
      variables as Record<string, unknown> | undefined,
    );
    if (!result.ok && result.reason === 'variables')
      throw coded(ErrorCode.BAD_USER_INPUT, result.error.message);
    if (!result.ok) throw new AppError(ErrorCode.GRAPHQL_VALIDATION_FAILED, 'The operation is too costly.');
    const key = clientKey(context.viewer, context.network);
    const limits = limitsOf(context);
    const state = await currentState(key, limits.budgetPerHour);
    const budgetNow = report(result.cost, 0, state, limits);
    return {
      requested: result.cost,
      allowed: result.cost <= limits.maxCost && result.cost <= budgetNow.remaining,
      limit: budgetNow.limit,
      remaining: budgetNow.remaining,
      resetAt: new Date(budgetNow.resetAt),
    };
  };

  return { plugin, estimateCost };
}

interface Costed {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

type ResponseBody =
  | {
      kind: 'single';
      singleResult: { data?: unknown; errors?: readonly { path?: readonly (string | number)[] }[] };
    }
  | { kind: 'incremental' };

export const costProtection = defineProtection({
  name: 'cost',
  phase: 'execution',
  summary:
    'Cost per operation from @cost / @listSize (400 over it; every list bounded at start-up), reserved in an hourly budget per account (its API keys included) or anonymous client network (429), settled at the actual cost; extensions.cost; the estimateCost dry run.',
  env: z.object({
    MAX_COST: int(1, 10_000_000).default(5000).describe('Most points one operation may cost.'),
    COST_BUDGET_PER_HOUR: int(1, 100_000_000)
      .default(50_000)
      .describe(
        'Points one account (all its tokens and API keys) or anonymous client network may spend per hour.',
      ),
  }),
  checkTypeDefs: assertTypeDefsListsBounded,
  create: (options, { limiters, production, documentRules, profiles }) => {
    const cost = createCostBudget({
      limiters,
      maxCost: options.MAX_COST,
      budgetPerHour: options.COST_BUDGET_PER_HOUR,
      production,
      profiles,
      documentRules,
    });
    // The protection owns estimateCost end to end: its SDL is schema/cost.graphql, its resolver
    // is installed here (before every wrapper, so @public and @rateLimit apply to it).
    return {
      plugin: cost.plugin,
      resolvers: {
        Query: { estimateCost: cost.estimateCost as GraphQLFieldResolver<unknown, RequestIdentity, never> },
      },
    };
  },
});
