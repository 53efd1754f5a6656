import { z } from 'zod';
import { defineProtection } from '../protection.js';

/**
 * Apollo's automatic persisted queries are off. Their cache is shared by every client: anyone can
 * fill it (memory) and register a hash for any document, and a document sent by hash skips none of
 * our limits yet hides what was asked from the access log. Trusted documents (a manifest per
 * client, refused when unknown) are the intended replacement.
 */
export const persistedQueriesProtection = defineProtection({
  name: 'persistedQueries',
  phase: 'document',
  summary:
    'Automatic persisted queries are off: no cache shared by every client, every document sent in full.',
  env: z.object({}),
  create: () => ({ apollo: { persistedQueries: false } }),
});
