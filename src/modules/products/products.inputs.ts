import { z } from 'zod';
import { safeText, uuid } from '../../validation.js';

export const productSearch = z.object({
  // Names are stored in the safe form, so the term is put in it too: "a & b" finds "a &amp; b".
  search: safeText(0, 100).nullish(),
});

export const productId = z.object({ id: uuid });

export const createProductInput = z.strictObject({
  name: safeText(1, 200),
  description: safeText(0, 5000, { multiline: true }),
  priceCents: z
    .number()
    .int('Must be a whole number of cents.')
    .min(0, 'Must not be negative.')
    .max(100_000_000, 'Must be at most 100000000.'),
});
