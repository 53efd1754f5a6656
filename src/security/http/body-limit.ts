import express from 'express';
import { z } from 'zod';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';

/**
 * The request body is parsed as JSON with a hard size limit, before any GraphQL work: a larger
 * body is a 413 (read no further than the limit), a malformed one a 400, both coded by the HTTP
 * error handler without the parser's own message.
 */
export const bodyLimitProtection = defineProtection({
  name: 'bodyLimit',
  phase: 'http',
  summary: 'JSON bodies up to a hard size, parsed before any GraphQL work (413 over it, 400 when malformed).',
  env: z.object({
    MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024)
      .default(100 * 1024)
      .describe('Largest request body, in bytes.'),
  }),
  create: (options) => ({ graphqlRequest: [express.json({ limit: options.MAX_BODY_BYTES })] }),
});
