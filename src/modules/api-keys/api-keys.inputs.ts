import { z } from 'zod';
import { Scope } from '../../generated/schema-types.js';
import { text, uuid } from '../../validation.js';

export const apiKeyId = z.object({ id: uuid });

export const createApiKeyInput = z.strictObject({
  name: text(1, 80),
  scopes: z
    .array(z.enum(Scope))
    .min(1, 'Must list between 1 and 4 scopes.')
    .max(4, 'Must list between 1 and 4 scopes.')
    .refine((s) => new Set(s).size === s.length, 'Must not repeat a scope.'),
});
