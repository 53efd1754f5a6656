import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { costWeightText, listSizeOf, parseWeight } from './cost-directives.js';

type AnyField = GraphQLField<unknown, unknown>;

/** True when the type is a list at any depth of non-null wrapping (`[T]`, `[T]!`, `[[T]!]!`). */
export function isListField(field: AnyField): boolean {
  return isListType(isNonNullType(field.type) ? field.type.ofType : field.type);
}

/** The user-defined object and interface types (introspection types excluded). */
function outputTypes(schema: GraphQLSchema) {
  return Object.values(schema.getTypeMap()).filter(
    (t) => !t.name.startsWith('__') && (isObjectType(t) || isInterfaceType(t)),
  ) as (GraphQLObjectType | GraphQLInterfaceType)[];
}

/**
 * Follows a dotted slicing path ("first", "input.first") through the field's arguments and input
 * fields: undefined when it names nothing, else whether every step is required (non-null).
 */
function resolveSlicingPath(
  field: AnyField,
  path: string,
): { required: boolean; intLike: boolean } | undefined {
  const [head, ...rest] = path.split('.');
  let current: GraphQLArgument | GraphQLInputField | undefined = field.args.find((a) => a.name === head);
  if (!current) return undefined;
  let required = isNonNullType(current.type);
  for (const key of rest) {
    const type: GraphQLInputType = getNullableType(current.type);
    if (!isInputObjectType(type)) return undefined;
    current = type.getFields()[key];
    if (!current) return undefined;
    required &&= isNonNullType(current.type);
  }
  const nullable = getNullableType(current.type);
  const intLike = isListType(nullable) || (isScalarType(nullable) && nullable.name === 'Int');
  return { required, intLike };
}

/**
 * The bound in force for every list field of the schema, by coordinate, e.g.
 * `Order.items → "assumedSize 50"`, `ProductConnection.edges → "first (via Query.products)"`;
 * and the problems: lists without a bound, slicing arguments that name nothing or are optional
 * without an assumedSize, sizedFields that name nothing, weights that are not numbers.
 */
export function listBounds(schema: GraphQLSchema): { bounds: Record<string, string>; problems: string[] } {
  const bounds: Record<string, string> = {};
  const problems: string[] = [];
  const types = outputTypes(schema);

  // Who sizes which subfield: ProductConnection.edges ← [Query.products: first]; and which
  // fields reach each type without sizing the subfield (then the subfield needs its own bound).
  const sizedBy = new Map<string, string[]>();
  const unsizedReach = new Set<string>();
  for (const type of types) {
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      if (!isObjectType(target) && !isInterfaceType(target)) continue;
      const listSize = listSizeOf(schema, field);
      const targetFields = target.getFields();
      for (const name of listSize?.sizedFields ?? []) {
        if (!targetFields[name])
          problems.push(`${type.name}.${field.name}: sizedFields names no field "${name}"`);
      }
      for (const sub of Object.values(targetFields)) {
        const key = `${target.name}.${sub.name}`;
        if (listSize?.sizedFields.includes(sub.name)) {
          const by = listSize.slicingArguments.length
            ? listSize.slicingArguments.join(' | ')
            : `assumedSize ${listSize.assumedSize ?? '?'}`;
          sizedBy.set(key, [...(sizedBy.get(key) ?? []), `${by} (via ${type.name}.${field.name})`]);
        } else unsizedReach.add(key);
      }
    }
  }

  const badWeight = (coordinate: string, text: string | undefined) => {
    if (text !== undefined && parseWeight(text) === undefined)
      problems.push(`${coordinate}: @cost weight "${text}" is not a number ≥ 0`);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    badWeight(type.name, costWeightText(schema, type));
    if (isInputObjectType(type))
      for (const f of Object.values(type.getFields()))
        badWeight(`${type.name}.${f.name}`, costWeightText(schema, f));
  }
  for (const type of types) {
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      badWeight(coordinate, costWeightText(schema, field));
      for (const arg of field.args) badWeight(`${coordinate}(${arg.name}:)`, costWeightText(schema, arg));
      const listSize = listSizeOf(schema, field);
      let slicing: string[] = [];
      for (const path of listSize?.slicingArguments ?? []) {
        const resolved = resolveSlicingPath(field, path);
        if (!resolved || !resolved.intLike) {
          problems.push(`${coordinate}: slicing argument "${path}" is not an Int argument of the field`);
        } else if (!resolved.required && listSize?.assumedSize === undefined) {
          problems.push(`${coordinate}: slicing argument "${path}" is optional and there is no assumedSize`);
        } else slicing.push(path);
      }
      const slicingProblem = slicing.length !== (listSize?.slicingArguments.length ?? 0);
      if (slicingProblem) slicing = [];
      if (listSize?.assumedSize !== undefined && listSize.assumedSize < 1)
        problems.push(`${coordinate}: assumedSize must be at least 1`);
      if (!isListField(field) && !listSize?.sizedFields.length) continue;

      const parts: string[] = [];
      if (slicing.length) parts.push(slicing.join(' | '));
      if (listSize?.assumedSize !== undefined) parts.push(`assumedSize ${listSize.assumedSize}`);
      if (listSize?.sizedFields.length) parts.push(`sizes ${listSize.sizedFields.join(', ')}`);
      const via = sizedBy.get(coordinate);
      if (!isListField(field)) {
        if (!slicing.length && listSize?.assumedSize === undefined)
          problems.push(`${coordinate}: sizedFields without a slicing argument or an assumedSize`);
        continue; // a connection field: its bound is listed at its sized subfields
      }
      if (parts.length > 0 && (slicing.length || listSize?.assumedSize !== undefined)) {
        bounds[coordinate] = parts.join(', ');
      } else if (via && !unsizedReach.has(coordinate)) {
        bounds[coordinate] = via.join('; ');
      } else if (!slicingProblem) {
        problems.push(
          `${coordinate}: a list without a bound (@listSize with a slicing argument or an assumedSize${
            via ? `; also reached without sizedFields` : ''
          })`,
        );
      }
    }
  }
  return { bounds, problems };
}

export function assertListsBounded(schema: GraphQLSchema): void {
  const { problems } = listBounds(schema);
  if (problems.length > 0) {
    throw new Error(
      `Every list field needs a bound (@listSize with a required slicing argument, or an assumedSize, or sizedFields of every field that returns its type). Fix these fields:\n  ${problems.join('\n  ')}`,
    );
  }
}

/** The same check on bare SDL, run by createApp before anything is opened. */
export function assertTypeDefsListsBounded(typeDefs: readonly string[]): void {
  assertListsBounded(makeExecutableSchema({ typeDefs: [...typeDefs] }));
}
