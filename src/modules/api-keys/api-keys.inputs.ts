import { z } from 'zod';
import { text, uuid } from '../../validation.js';

export const SCOPES = ['PRODUCTS_READ', 'ORDERS_READ', 'ORDERS_WRITE', 'REVIEWS_WRITE'] as const;

export const apiKeyId = z.object({ id: uuid });

export const createApiKeyInput = z.strictObject({
  name: text(1, 80),
  scopes: z
    .array(z.enum(SCOPES))
    .min(1, 'Must list between 1 and 4 scopes.')
    .max(4, 'Must list between 1 and 4 scopes.')
    .refine((s) => new Set(s).size === s.length, 'Must not repeat a scope.'),
});
