import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLError,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { costWeight, listSizeOf, type ListSize } from './cost-directives.js';

type AnyField = GraphQLField<unknown, unknown>;

/** What the estimator knows of one field, read once from the schema's directives. */
interface FieldRule {
  /** @cost on the field, else on its named type, else undefined (the default applies). */
  weight: number | undefined;
  listSize: ListSize | undefined;
  /** The field's arguments that carry @cost, or whose input type has fields with @cost. */
  pricedArgs: readonly GraphQLArgument[];
}

/** The per-schema cache of field rules; build once per schema (createCostEstimator). */
export interface CostEstimator {
  readonly schema: GraphQLSchema;
  rule(field: AnyField): FieldRule;
  /** Extra cost of one input value (the @cost weights of the input fields it gives). */
  inputCost(type: GraphQLInputType, value: unknown): number;
}

/** graphql-query-complexity's cap, kept: more evaluated nodes than this and the operation is refused. */
export const MAX_EVALUATED_NODES = 10_000;

/**
 * The cost model: IBM GraphQL Cost Directives (`@cost(weight)`, `@listSize`), priced the way
 * Apollo Router's demand control prices them (static, before execution, from the document and
 * the variables):
 *
 * - A field returning an object (or an interface/union: the most costly possible type) costs its
 *   weight, default 1 (one load), plus the cost of its selection.
 * - A field returning a scalar or an enum costs its weight, default 0 (already loaded).
 * - `@cost(weight:)` on the field overrides the default; on the field's type, it is the default
 *   for every field of that type; a field's own @cost wins over its type's.
 * - An argument (or input field, at any depth) with `@cost` adds its weight when the client
 *   gives it (once per field, not per list element).
 * - A list multiplies the cost of one element (weight + selection) by its size: the value of the
 *   slicing argument given (a literal, a variable or a nested input field: `"input.first"`; a
 *   list value counts its length; the largest when several are given), else `assumedSize`. A
 *   size below 1 (refused later by the service) is read as 1. With `requireOneSlicingArgument`
 *   (the default) exactly one slicing argument must be given, or the operation is refused.
 * - With `sizedFields` (Relay connections) the size multiplies those subfields (`edges`)
 *   instead of the field: `products(first: n) { totalCount edges { node { id } } }` costs
 *   1 + totalCount's weight + n × (edge 1 + node 1).
 * - Nested lists multiply. A list at any depth of wrapping (`[[T]]`) is multiplied once.
 * - Every list of the schema is bounded (list-bounds.ts refuses others at start-up); only the
 *   introspection types are unannotated, and their lists count as size 1.
 * - Fragments are expanded and charged at each spread (a fragment spread twice costs twice);
 *   `@skip` / `@include` are honoured; `__typename` is free.
 * - Mutations are priced like queries (the spec sets no per-operation cost; Apollo Router's
 *   10 per mutation is not part of it): a mutation field returning an object costs 1 plus its
 *   selection, one returning a scalar costs 0; their real limit is @rateLimit.
 * - The total is rounded up to a whole number of points.
 */
export function createCostEstimator(schema: GraphQLSchema): CostEstimator {
  const rules = new WeakMap<AnyField, FieldRule>();
  const pricedInputs = new WeakMap<object, boolean>();
  /** Whether an input type (or anything inside it) carries @cost. */
  const hasPricedInput = (type: GraphQLInputType, seen = new Set<object>()): boolean => {
    const named = getNamedType(type);
    const cached = pricedInputs.get(named);
    if (cached !== undefined) return cached;
    if (costWeight(schema, named) !== undefined) return true;
    if (!isInputObjectType(named) || seen.has(named)) return false;
    seen.add(named);
    const result = Object.values(named.getFields()).some(
      (f) => costWeight(schema, f) !== undefined || hasPricedInput(f.type, seen),
    );
    pricedInputs.set(named, result);
    return result;
  };
  const inputCost = (type: GraphQLInputType, value: unknown): number => {
    if (value === null || value === undefined) return 0;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      if (!Array.isArray(value)) return inputCost(nullable.ofType, value);
      return value.reduce((sum: number, item) => sum + inputCost(nullable.ofType, item), 0);
    }
    if (!isInputObjectType(nullable) || typeof value !== 'object') return 0;
    let sum = 0;
    for (const f of Object.values(nullable.getFields())) {
      const v = (value as Record<string, unknown>)[f.name];
      if (v === undefined || v === null) continue;
      sum += (costWeight(schema, f) ?? costWeight(schema, getNamedType(f.type)) ?? 0) + inputCost(f.type, v);
    }
    return sum;
  };
  return {
    schema,
    inputCost,
    rule(field) {
      let rule = rules.get(field);
      if (!rule) {
        rule = {
          weight: costWeight(schema, field) ?? costWeight(schema, getNamedType(field.type)),
          listSize: listSizeOf(schema, field),
          pricedArgs: field.args.filter((a) => costWeight(schema, a) !== undefined || hasPricedInput(a.type)),
        };
        rules.set(field, rule);
      }
      return rule;
    },
  };
}

export type CostResult =
  | { ok: true; cost: number }
  /** The variables do not coerce: execution will refuse them (400) before any resolver runs. */
  | { ok: false; reason: 'variables'; error: GraphQLError }
  /**
   * The cost could not be computed (too many nodes to evaluate, no single slicing argument
   * where one is required, no such operation): refuse the operation.
   */
  | { ok: false; reason: 'uncomputable'; error: unknown };

/** Reads a dotted slicing path ("first", "input.first") from the coerced arguments. */
function readPath(args: Record<string, unknown>, path: string): unknown {
  let value: unknown = args;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function sizeOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.max(1, Math.floor(value));
  if (Array.isArray(value)) return Math.max(1, value.length);
  return undefined;
}

/** The size of a list field from its @listSize and the arguments given (see the model above). */
function listSizeFor(
  coordinate: string,
  listSize: ListSize | undefined,
  args: Record<string, unknown>,
): number {
  if (!listSize) return 1;
  const given = listSize.slicingArguments
    .map((path) => sizeOf(readPath(args, path)))
    .filter((n): n is number => n !== undefined);
  if (listSize.requireOneSlicingArgument && listSize.slicingArguments.length > 0 && given.length !== 1) {
    throw new Error(
      `${coordinate} needs exactly one of its slicing arguments (${listSize.slicingArguments.join(', ')}).`,
    );
  }
  if (given.length > 0) return Math.max(...given);
  return listSize.assumedSize ?? 1;
}

/** A response's errors, as far as the actual cost needs them: where execution failed. */
export interface ErrorPaths {
  readonly errors?: readonly { readonly path?: readonly (string | number)[] | undefined }[] | undefined;
}

/**
 * What to price: `estimate` (before execution: list sizes from the slicing arguments or
 * assumedSize) or `actual` (after execution: the same model walked along the response `data`,
 * every list sized by its real length).
 */
export type CostMode =
  { kind: 'estimate' } | { kind: 'actual'; data: unknown; errors?: ErrorPaths['errors'] };

const ESTIMATE: unique symbol = Symbol('estimate');
/** The value at a position: a response value (actual) or ESTIMATE (no data: price it statically). */
type Position = unknown;

/** Flattens a list value at any depth of wrapping into its elements, with their index paths. */
function flatten(value: unknown[], prefix: number[], out: { item: unknown; at: number[] }[]) {
  value.forEach((item, i) => {
    if (Array.isArray(item)) flatten(item, [...prefix, i], out);
    else out.push({ item, at: [...prefix, i] });
  });
  return out;
}

/**
 * The cost of the operation that will run (mode `estimate`), or that ran (mode `actual`), by the
 * model of createCostEstimator: one walker, two ways of sizing a list.
 *
 * - estimate: a list's size is its slicing argument or assumedSize (listSizeFor). Called after
 *   validation, so the document is valid and its fragment expansion is bounded (operation-limits
 *   rule); MAX_EVALUATED_NODES evaluated fields is a second bound.
 * - actual: the walker follows the response `data` along the executed selection set (fragments,
 *   @skip/@include and aliases as in the estimate: each field node reads its response key), and
 *   every list is sized by the real number of elements in the data (0 when empty or null). A
 *   field that resolved to null costs its weight (its load ran) and no selection. A null where
 *   execution failed (an error's path runs through it: an error of the field itself, or one that
 *   propagated up to it) costs what the estimate charged for that branch: what ran under it is
 *   unknown, so it is never refunded. The walk is linear in the response (whose list items the
 *   response guards cap), so MAX_EVALUATED_NODES does not apply.
 */
export function computeCost(
  schema: GraphQLSchema,
  estimator: CostEstimator,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
  mode: CostMode = { kind: 'estimate' },
): CostResult {
  const operation = getOperationAST(document, operationName);
  if (!operation) return { ok: false, reason: 'uncomputable', error: new Error('No such operation.') };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, {
    maxErrors: 1,
  });
  if (coerced.errors) {
    return { ok: false, reason: 'variables', error: coerced.errors[0] as GraphQLError };
  }
  const variableValues = coerced.coerced;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  /** Evaluated nodes: fields, fragment spreads and inline fragments (as the library counted). */
  let evaluated = 0;
  let counting = true;
  const count = () => {
    if (!counting) return;
    evaluated += 1;
    if (evaluated > MAX_EVALUATED_NODES)
      throw new Error('Query exceeds the maximum allowed number of nodes.');
  };

  // Where execution failed: every prefix of every error path ("" is the root).
  const failed = new Set<string>();
  if (mode.kind === 'actual') {
    for (const error of mode.errors ?? []) {
      if (!error.path) {
        failed.add('');
        continue;
      }
      let key = '';
      failed.add(key);
      for (const segment of error.path) failed.add((key += `\u0000${segment}`));
    }
  }
  const path: (string | number)[] = [];
  const pathKey = (extra: readonly number[] = []) =>
    [...path, ...extra].reduce<string>((key, segment) => `${key}\u0000${segment}`, '');

  const included = (node: { directives?: readonly unknown[] | undefined }): boolean => {
    if (!node.directives?.length) return true;
    const n = node as FieldNode;
    if (getDirectiveValues(GraphQLSkipDirective, n, variableValues)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, n, variableValues)?.if !== false;
  };
  const appliesTo = (condition: string | undefined, type: GraphQLObjectType): boolean => {
    if (!condition || condition === type.name) return true;
    const conditionType = schema.getType(condition);
    return !!conditionType && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
  };

  /** Field nodes of a selection set on one object type, fragments expanded (no merging). */
  const collect = (
    type: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    out: FieldNode[],
    active: Set<string>,
  ): FieldNode[] => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind !== Kind.FIELD) count();
      if (selection.kind === Kind.FIELD) out.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (appliesTo(selection.typeCondition?.name.value, type))
          collect(type, selection.selectionSet, out, active);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || active.has(name) || !appliesTo(fragment.typeCondition.name.value, type)) continue;
        active.add(name);
        collect(type, fragment.selectionSet, out, active);
        active.delete(name);
      }
    }
    return out;
  };
  // The actual walk collects the same selection set once per element: memoised per object type.
  const collected = new Map<SelectionSetNode, Map<GraphQLObjectType, FieldNode[]>>();
  const fieldsOf = (type: GraphQLObjectType, selectionSet: SelectionSetNode): FieldNode[] => {
    let perType = collected.get(selectionSet);
    if (!perType) collected.set(selectionSet, (perType = new Map()));
    let fields = perType.get(type);
    if (!fields) perType.set(type, (fields = collect(type, selectionSet, [], new Set())));
    return fields;
  };
  const argumentsOf = new Map<FieldNode, Record<string, unknown>>();

  const fieldDefOf = (type: GraphQLObjectType, name: string): AnyField | undefined => {
    if (type === schema.getQueryType()) {
      if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
      if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    }
    return type.getFields()[name];
  };

  /** The object types a value at a position may have: its __typename when the data says so. */
  const objectTypesOf = (type: GraphQLCompositeType, value: Position): readonly GraphQLObjectType[] => {
    if (isObjectType(type)) return [type];
    if (value !== ESTIMATE && value !== null && typeof value === 'object') {
      const typename = (value as Record<string, unknown>).__typename;
      const runtime = typeof typename === 'string' ? schema.getType(typename) : undefined;
      if (runtime && isObjectType(runtime)) return [runtime];
    }
    return schema.getPossibleTypes(type);
  };

  /** Cost of a selection set on a composite type: the most costly possible object type. */
  const selectionCost = (
    type: GraphQLCompositeType,
    selectionSet: SelectionSetNode,
    sized: { fields: readonly string[]; size: number } | undefined,
    value: Position,
  ): number => {
    let max = 0;
    for (const object of objectTypesOf(type, value)) {
      let sum = 0;
      const nodes =
        value === ESTIMATE ? collect(object, selectionSet, [], new Set()) : fieldsOf(object, selectionSet);
      for (const node of nodes) {
        const size = sized?.fields.includes(node.name.value) ? sized.size : undefined;
        sum += fieldCost(object, node, size, value);
      }
      max = Math.max(max, sum);
    }
    return max;
  };

  const fieldCost = (
    parent: GraphQLObjectType,
    node: FieldNode,
    sizeFromParent: number | undefined,
    parentValue: Position,
  ): number => {
    count();
    if (node.name.value === '__typename') return 0;
    const field = fieldDefOf(parent, node.name.value);
    if (!field) return 0; // validation refuses unknown fields before this runs
    const rule = estimator.rule(field);
    let args = argumentsOf.get(node);
    if (!args) argumentsOf.set(node, (args = getArgumentValues(field, node, variableValues)));
    let argumentCost = 0;
    for (const arg of rule.pricedArgs) {
      const value = args[arg.name];
      if (value === undefined || value === null) continue;
      argumentCost += (costWeight(schema, arg) ?? 0) + estimator.inputCost(arg.type, value);
    }
    const named = getNamedType(field.type);
    const coordinate = `${parent.name}.${field.name}`;
    const isList = isListType(isNonNullType(field.type) ? field.type.ofType : field.type);
    const listSize = rule.listSize;
    const size =
      sizeFromParent ??
      (isList || listSize?.sizedFields.length ? listSizeFor(coordinate, listSize, args) : 1);
    const sizedChildren = listSize?.sizedFields.length ? { fields: listSize.sizedFields, size } : undefined;
    const weight = rule.weight ?? (isCompositeType(named) ? 1 : 0);

    if (parentValue === ESTIMATE || parentValue === null || typeof parentValue !== 'object') {
      let element: number;
      if (isCompositeType(named)) {
        element =
          weight + (node.selectionSet ? selectionCost(named, node.selectionSet, sizedChildren, ESTIMATE) : 0);
      } else {
        element = weight;
      }
      // With sizedFields the size went to those subfields; otherwise a list (or a field the parent
      // sized) multiplies its element.
      const multiplier = sizedChildren ? 1 : isList || sizeFromParent !== undefined ? size : 1;
      return argumentCost + element * multiplier;
    }

    // actual: this field's value in the response, under its response key.
    const key = node.alias?.value ?? node.name.value;
    const value = (parentValue as Record<string, unknown>)[key];
    path.push(key);
    try {
      if ((value === null || value === undefined) && failed.has(pathKey())) {
        return fieldCost(parent, node, sizeFromParent, ESTIMATE);
      }
      const elements =
        value === null || value === undefined
          ? []
          : Array.isArray(value)
            ? flatten(value, [], [])
            : [{ item: value, at: [] as number[] }];
      // A single value (not a list) counts 1, however the parent sized it: its real count.
      if (!isCompositeType(named)) {
        return argumentCost + weight * (isList ? elements.length : 1);
      }
      if (!isList && elements.length === 0) return argumentCost + weight; // resolved to null
      let sum = argumentCost;
      for (const { item, at } of elements) {
        if (item === null || item === undefined) {
          // A null element: its load ran; where it failed, it costs the estimate of one element.
          sum += failed.has(pathKey(at))
            ? weight +
              (node.selectionSet ? selectionCost(named, node.selectionSet, sizedChildren, ESTIMATE) : 0)
            : weight;
          continue;
        }
        path.push(...at);
        try {
          sum +=
            weight + (node.selectionSet ? selectionCost(named, node.selectionSet, sizedChildren, item) : 0);
        } finally {
          path.length -= at.length;
        }
      }
      return sum;
    } finally {
      path.pop();
    }
  };

  try {
    const root = schema.getRootType(operation.operation);
    if (!root) return { ok: false, reason: 'uncomputable', error: new Error('No root type.') };
    let rootValue: Position = ESTIMATE;
    if (mode.kind === 'actual') {
      counting = false;
      // No data at all: nothing ran (0), or execution failed at the root (the estimate).
      if (mode.data === null || mode.data === undefined || typeof mode.data !== 'object') {
        if (!failed.size) return { ok: true, cost: 0 };
        counting = true;
      } else rootValue = mode.data;
    }
    return { ok: true, cost: Math.ceil(selectionCost(root, operation.selectionSet, undefined, rootValue)) };
  } catch (error) {
    return { ok: false, reason: 'uncomputable', error };
  }
}
