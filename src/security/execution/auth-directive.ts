import { defaultFieldResolver, type GraphQLFieldConfig, type GraphQLSchema } from 'graphql';
import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import type { RequestIdentity } from '../../request.js';
import type { Role, Scope } from '../../generated/schema-types.js';
import { forbidden, unauthenticated } from '../../errors.js';
import type { Viewer } from '../../auth/viewer.js';
import { markSecurityEvent } from '../../audit/marks.js';
import { z } from 'zod';
import { defineProtection } from '../protection.js';
import { assertTypeDefsAnnotated } from './assert-annotated.js';

interface AuthArgs {
  requires?: Role[];
  scopes?: Scope[];
}

export interface FieldAccess {
  kind: 'auth' | 'public';
  requires: readonly Role[] | undefined;
  scopes: readonly Scope[] | undefined;
}

/**
 * Throws unless the viewer may reach a field with this access rule. `coordinate` (Type.field)
 * only names the field in the security log.
 */
export function checkAccess(viewer: Viewer, access: FieldAccess, coordinate = ''): void {
  const deny = (error: Error, reason: string) =>
    markSecurityEvent(error, { event: 'authz_denied', details: { field: coordinate, reason } });
  if (viewer.kind === 'apiKey') {
    // A key reaches a field only if the field names one of the key's scopes; fields without
    // scopes (account management, admin tools) are closed to keys whatever the owner may do.
    const allowed = access.scopes?.some((s) => viewer.scopes.includes(s)) ?? false;
    if (!allowed) throw deny(forbidden('This API key does not have the scope for this field.'), 'scope');
    if (access.requires && !access.requires.includes(viewer.role)) throw deny(forbidden(), 'role');
    return;
  }
  if (access.kind === 'public') return;
  // Anonymous → UNAUTHENTICATED (sign in and retry); signed in but wrong role → FORBIDDEN.
  if (viewer.kind === 'anonymous') throw deny(unauthenticated(), 'anonymous');
  if (access.requires && !access.requires.includes(viewer.role)) throw deny(forbidden(), 'role');
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
 * Wraps every field that carries @auth or @public (or whose type carries @auth) so the rule is
 * checked before its resolver runs. Applied once, at start-up, with mapSchema.
 */
export function applyAuthDirectives(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const type = schema.getType(typeName);
      const typeAuth = type ? (getDirective(schema, type, 'auth')?.[0] as AuthArgs | undefined) : undefined;
      const access = fieldAccess(schema, fieldConfig, typeAuth);
      if (!access) return fieldConfig;
      const resolve = fieldConfig.resolve ?? defaultFieldResolver;
      const coordinate = `${typeName}.${fieldName}`;
      return {
        ...fieldConfig,
        resolve(source, args, context: RequestIdentity, info) {
          checkAccess(context.viewer, access, coordinate);
          return resolve(source, args, context, info);
        },
      };
    },
  });
}

export const authProtection = defineProtection({
  name: 'auth',
  phase: 'execution',
  summary:
    'Secure by default: every root field carries @auth or @public (start-up refuses others); checked before its resolver.',
  env: z.object({}),
  checkTypeDefs: assertTypeDefsAnnotated,
  create: () => ({ schemaTransform: applyAuthDirectives }),
});
