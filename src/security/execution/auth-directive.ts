import {
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import type { RequestIdentity } from '../../request.js';
import type { Role, Scope } from '../../generated/schema-types.js';
import { forbidden, unauthenticated } from '../../errors.js';
import type { Viewer } from '../../auth/viewer.js';
import { markSecurityEvent } from '../../audit/marks.js';
import { z } from 'zod';
import { defineProtection } from '../protection.js';
import { assertTypeDefsAnnotated, isRootType } from './assert-annotated.js';

interface AuthArgs {
  requires?: Role[];
  scopes?: Scope[];
}

export interface FieldAccess {
  kind: 'auth' | 'public';
  requires: readonly Role[] | undefined;
  scopes: readonly Scope[] | undefined;
}

const deny = (error: Error, coordinate: string, reason: string) =>
  markSecurityEvent(error, {
    event: 'authz_denied',
    protection: 'auth',
    details: { field: coordinate, reason },
  });

/** Whether a key holding `held` has one of `wanted` (none: never). No closure: it runs on every guarded field. */
function holdsOneOf(held: readonly Scope[], wanted: readonly Scope[] | undefined): boolean {
  if (!wanted) return false;
  for (const scope of wanted) if (held.includes(scope)) return true;
  return false;
}

/**
 * Throws unless the viewer may reach a field with this access rule. `coordinate` (Type.field)
 * only names the field in the security log.
 */
export function checkAccess(viewer: Viewer, access: FieldAccess, coordinate = ''): void {
  if (viewer.kind === 'apiKey') {
    // A key reaches a field only if the field names one of the key's scopes; fields without
    // scopes (account management, admin tools) are closed to keys whatever the owner may do.
    if (!holdsOneOf(viewer.scopes, access.scopes))
      throw deny(forbidden('This API key does not have the scope for this field.'), coordinate, 'scope');
    if (access.requires && !access.requires.includes(viewer.role))
      throw deny(forbidden(), coordinate, 'role');
    return;
  }
  if (access.kind === 'public') return;
  // Anonymous → UNAUTHENTICATED (sign in and retry); signed in but wrong role → FORBIDDEN.
  if (viewer.kind === 'anonymous') throw deny(unauthenticated(), coordinate, 'anonymous');
  if (access.requires && !access.requires.includes(viewer.role)) throw deny(forbidden(), coordinate, 'role');
}

/**
 * The API-key scopes that may reach an object type: the `scopes` of its type-level @auth or
 * @public (none: closed to keys). Root operation types have none: their fields decide alone.
 */
export function typeScopes(schema: GraphQLSchema, type: GraphQLNamedType): readonly Scope[] {
  const rule = (getDirective(schema, type, 'auth')?.[0] ?? getDirective(schema, type, 'public')?.[0]) as
    { scopes?: Scope[] } | undefined;
  return rule?.scopes ?? [];
}

/** The @auth / @public rule of a field (or of its type for @auth on OBJECT), if any. */
function fieldAccess(
  schema: GraphQLSchema,
  field: GraphQLFieldConfig<unknown, unknown>,
  typeAuth: AuthArgs | undefined,
): FieldAccess | undefined {
  const auth = getDirective(schema, field, 'auth')?.[0] as AuthArgs | undefined;
  const pub = getDirective(schema, field, 'public')?.[0] as { scopes?: Scope[] } | undefined;
  if (auth) return { kind: 'auth', requires: auth.requires, scopes: auth.scopes };
  if (pub) return { kind: 'public', requires: undefined, scopes: pub.scopes };
  if (typeAuth) return { kind: 'auth', requires: typeAuth.requires, scopes: typeAuth.scopes };
  return undefined;
}

/**
 * The edge rule of a field returning `target` (an object type, not a root type): an API key must
 * hold one of the type's scopes. Undefined when no edge check is needed: the target is not such a
 * type, or the field's own rule already demands one of those scopes (its scopes are a subset).
 */
function edgeAccess(
  schema: GraphQLSchema,
  target: GraphQLNamedType,
  access: FieldAccess | undefined,
): FieldAccess | undefined {
  if (!isObjectType(target) || isRootType(schema, target)) return undefined;
  const scopes = typeScopes(schema, target);
  if (access && (access.scopes ?? []).every((s) => scopes.includes(s))) return undefined;
  return { kind: 'public', requires: undefined, scopes };
}

type Resolver = GraphQLFieldResolver<unknown, RequestIdentity>;

/** One wrapper per field: its own rule for every viewer, then the edge rule for API keys only. */
function guard(
  resolve: Resolver,
  access: FieldAccess | undefined,
  edge: FieldAccess | undefined,
  coordinate: string,
): Resolver {
  if (access && edge)
    return (source, args, context, info) => {
      checkAccess(context.viewer, access, coordinate);
      if (context.viewer.kind === 'apiKey') checkAccess(context.viewer, edge, coordinate);
      return resolve(source, args, context, info);
    };
  if (edge)
    // The hot path of users and anonymous viewers: one branch, then the resolver.
    return (source, args, context, info) => {
      if (context.viewer.kind !== 'apiKey') return resolve(source, args, context, info);
      checkAccess(context.viewer, edge, coordinate);
      return resolve(source, args, context, info);
    };
  const rule = access as FieldAccess;
  return (source, args, context, info) => {
    checkAccess(context.viewer, rule, coordinate);
    return resolve(source, args, context, info);
  };
}

/**
 * Wraps, once at start-up with mapSchema, every field that carries @auth or @public (or whose type
 * carries @auth), so the rule is checked before its resolver runs; and every field returning an
 * object type, so an API key reaches a type only with one of the type's scopes (a key reading
 * `order { items { product } }` needs a products scope as well as ORDERS_READ).
 */
export function applyAuthDirectives(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const type = schema.getType(typeName);
      const typeAuth = type ? (getDirective(schema, type, 'auth')?.[0] as AuthArgs | undefined) : undefined;
      const access = fieldAccess(schema, fieldConfig, typeAuth);
      // mapSchema may hand over rewritten types: look the target up by name in the source schema.
      const target = schema.getType(getNamedType(fieldConfig.type).name);
      const edge = target ? edgeAccess(schema, target, access) : undefined;
      if (!access && !edge) return fieldConfig;
      const resolve = (fieldConfig.resolve ?? defaultFieldResolver) as Resolver;
      return { ...fieldConfig, resolve: guard(resolve, access, edge, `${typeName}.${fieldName}`) };
    },
  });
}

export const authProtection = defineProtection({
  name: 'auth',
  phase: 'execution',
  summary:
    'Secure by default: every root field and every object type carries @auth or @public (start-up refuses others); checked before the resolver, and an API key reaches a type only with one of its scopes.',
  env: z.object({}),
  checkTypeDefs: assertTypeDefsAnnotated,
  create: () => ({ schemaTransform: applyAuthDirectives }),
});
