import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { z } from 'zod';
import { defineProtection } from '../protection.js';

/**
 * Introspection answers only in development (Apollo Sandbox, codegen against a running server).
 * Production publishes no schema to strangers; clients generate their types from the committed
 * schema file instead. graphql-js's own rule refuses it, given here rather than through Apollo's
 * `introspection: false` (which adds the same rule), so the refusal is attributed to this
 * protection in the security event and the metrics.
 */
export const introspectionProtection = defineProtection({
  name: 'introspection',
  phase: 'document',
  summary: 'Introspection is refused in production (400); development keeps it for the Sandbox.',
  env: z.object({}),
  create: (_options, { production }) =>
    production
      ? { apollo: { introspection: true }, validationRules: [NoSchemaIntrospectionCustomRule] }
      : { apollo: { introspection: true } },
});
