import { z } from 'zod';
import { defineProtection } from '../protection.js';

/**
 * Introspection answers only in development (Apollo Sandbox, codegen against a running server).
 * Production publishes no schema to strangers; clients generate their types from the committed
 * schema file instead.
 */
export const introspectionProtection = defineProtection({
  name: 'introspection',
  phase: 'document',
  summary: 'Introspection is refused in production (400); development keeps it for the Sandbox.',
  env: z.object({}),
  create: (_options, { production }) => ({ apollo: { introspection: !production } }),
});
