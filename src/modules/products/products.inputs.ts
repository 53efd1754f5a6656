import { z } from 'zod';
import { multilineText, text, uuid } from '../../validation.js';

export const productSearch = z.object({
  search: text(0, 100).nullish(),
});

export const productId = z.object({ id: uuid });

export const createProductInput = z.strictObject({
  name: text(1, 200),
  description: multilineText(0, 5000),
  priceCents: z
    .number()
    .int('Must be a whole number of cents.')
    .min(0, 'Must not be negative.')
    .max(100_000_000, 'Must be at most 100000000.'),
});
