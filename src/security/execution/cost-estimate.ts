import {
  getNamedType,
  isLeafType,
  Kind,
  type DocumentNode,
  type GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { getDirective } from '@graphql-tools/utils';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

interface CostRule {
  complexity: number;
  multipliers: readonly string[];
}

/**
 * The cost of one field, from the SDL's `@cost(complexity, multipliers)`:
 *
 *   cost = complexity + childCost × (product of the multiplier arguments)
 *
 * so `products(first: 50) { edges { node { reviews(first: 20) { … } } } }` costs the product
 * page plus 50 × the cost of each node, and a nested list multiplies again. Arguments are the
 * coerced values, so `first: $n` costs exactly what `first: 50` does. Fields without @cost
 * cost 1 when they return an object (a load) and 0 for scalars and enums (already loaded).
 * A multiplier below 1 (invalid input, refused later by the service) is read as 1.
 */
export function createCostEstimator(schema: GraphQLSchema): ComplexityEstimator {
  const rules = new WeakMap<GraphQLField<unknown, unknown>, CostRule | null>();
  const ruleOf = (field: GraphQLField<unknown, unknown>): CostRule | null => {
    let rule = rules.get(field);
    if (rule === undefined) {
      const args = getDirective(schema, field, 'cost')?.[0] as
        { complexity?: number; multipliers?: string[] } | undefined;
      rule = args ? { complexity: args.complexity ?? 1, multipliers: args.multipliers ?? [] } : null;
      rules.set(field, rule);
    }
    return rule;
  };
  return ({ field, args, childComplexity }) => {
    const rule = ruleOf(field);
    const base = rule ? rule.complexity : isLeafType(getNamedType(field.type)) ? 0 : 1;
    let multiplier = 1;
    for (const name of rule?.multipliers ?? []) {
      const value: unknown = args[name];
      if (typeof value === 'number' && Number.isFinite(value)) multiplier *= Math.max(1, Math.floor(value));
      else if (Array.isArray(value)) multiplier *= Math.max(1, value.length);
    }
    return base + childComplexity * multiplier;
  };
}

export type CostResult =
  | { ok: true; cost: number }
  /** The variables do not coerce: execution will refuse them (400) before any resolver runs. */
  | { ok: false; reason: 'variables'; error: GraphQLError }
  /** The cost could not be computed (e.g. too many nodes to evaluate): refuse the operation. */
  | { ok: false; reason: 'uncomputable'; error: unknown };

/**
 * The cost of the operation that will run. Called after validation, so the document is valid
 * and its fragment expansion is bounded (operation-limits rule); the library's own node cap
 * (10 000 evaluated nodes) is a second bound.
 */
export function computeCost(
  schema: GraphQLSchema,
  estimator: ComplexityEstimator,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
): CostResult {
  try {
    const cost = getComplexity({
      schema,
      query: document,
      estimators: [estimator],
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
    });
    return { ok: true, cost };
  } catch (error) {
    const nodes = (error as GraphQLError | undefined)?.nodes;
    if (nodes?.length === 1 && nodes[0]?.kind === Kind.VARIABLE_DEFINITION) {
      return { ok: false, reason: 'variables', error: error as GraphQLError };
    }
    return { ok: false, reason: 'uncomputable', error };
  }
}
