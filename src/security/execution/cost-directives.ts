import type {
  GraphQLArgument,
  GraphQLField,
  GraphQLInputField,
  GraphQLNamedType,
  GraphQLSchema,
} from 'graphql';
import { getDirective } from '@graphql-tools/utils';

/** `@listSize(assumedSize, slicingArguments, sizedFields, requireOneSlicingArgument)` of a field. */
export interface ListSize {
  assumedSize: number | undefined;
  slicingArguments: readonly string[];
  sizedFields: readonly string[];
  requireOneSlicingArgument: boolean;
}

type CostTarget = GraphQLField<unknown, unknown> | GraphQLArgument | GraphQLInputField | GraphQLNamedType;

/** The raw `weight` string of `@cost`, if the element carries one. */
export function costWeightText(schema: GraphQLSchema, target: CostTarget): string | undefined {
  const args = getDirective(schema, target, 'cost')?.[0] as { weight?: string } | undefined;
  return args?.weight;
}

/** `weight` as a number, when it is a finite number ≥ 0 (the start-up check refuses any other). */
export function parseWeight(text: string): number | undefined {
  const value = text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function costWeight(schema: GraphQLSchema, target: CostTarget): number | undefined {
  const text = costWeightText(schema, target);
  return text === undefined ? undefined : parseWeight(text);
}

export function listSizeOf(
  schema: GraphQLSchema,
  field: GraphQLField<unknown, unknown>,
): ListSize | undefined {
  const args = getDirective(schema, field, 'listSize')?.[0] as
    | {
        assumedSize?: number | null;
        slicingArguments?: string[] | null;
        sizedFields?: string[] | null;
        requireOneSlicingArgument?: boolean | null;
      }
    | undefined;
  if (!args) return undefined;
  return {
    assumedSize: args.assumedSize ?? undefined,
    slicingArguments: args.slicingArguments ?? [],
    sizedFields: args.sizedFields ?? [],
    requireOneSlicingArgument: args.requireOneSlicingArgument ?? true,
  };
}
