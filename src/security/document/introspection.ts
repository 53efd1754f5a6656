import { NoSchemaIntrospectionCustomRule, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { z } from 'zod';
import { attributeTo } from '../../audit/marks.js';
import { AppError, ErrorCode } from '../../errors.js';
import { defineProtection } from '../protection.js';

const MESSAGE = 'Introspection is not available: use the published schema.';
const introspects = new WeakMap<DocumentNode, boolean>();

/** Whether a validated document selects `__schema` or `__type` (cached per document). */
function selectsIntrospection(schema: GraphQLSchema, document: DocumentNode): boolean {
  let found = introspects.get(document);
  if (found === undefined) {
    found = validate(schema, document, [NoSchemaIntrospectionCustomRule]).length > 0;
    introspects.set(document, found);
  }
  return found;
}

/**
 * Introspection answers only in development (Apollo Sandbox, codegen against a running server),
 * or for a client profile that allows it (`introspection: true`, a partner exploring the API).
 * Production publishes no schema to strangers; clients generate their types from the committed
 * schema file instead.
 * - No profile allows it: graphql-js's own rule refuses it at validation, given here rather than
 *   through Apollo's `introspection: false` (which adds the same rule), so the refusal is
 *   attributed to this protection in the security event and the metrics.
 * - Some profile allows it: validation lets it through, and the profiles that do not are refused
 *   after validation (Apollo caches validated documents for every caller), with the same 400; in
 *   measure mode served and logged.
 */
export const introspectionProtection = defineProtection({
  name: 'introspection',
  phase: 'document',
  summary:
    'Introspection is refused in production (400) unless the client profile allows it; development keeps it for the Sandbox.',
  env: z.object({}),
  create: (_options, { profiles }) => {
    if (!profiles.current().ceiling.introspection)
      return { apollo: { introspection: true }, validationRules: [NoSchemaIntrospectionCustomRule] };
    return {
      apollo: { introspection: true },
      // Some profile allows it: the others are refused after validation (afterValidation).
      afterValidation: ({ schema, document, identity }) =>
        identity.profile.introspection || !selectsIntrospection(schema, document)
          ? undefined
          : attributeTo(
              new AppError(ErrorCode.GRAPHQL_VALIDATION_FAILED, MESSAGE, { http: { status: 400 } }),
              'introspection',
            ),
    };
  },
});
