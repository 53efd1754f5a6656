import { z } from 'zod';
import { safeText, uuid } from '../../validation.js';

export const addReviewInput = z.strictObject({
  productId: uuid,
  rating: z
    .number()
    .int('Must be between 1 and 5.')
    .min(1, 'Must be between 1 and 5.')
    .max(5, 'Must be between 1 and 5.'),
  // User content: 1..2000 characters as sent, stored in the safe form (validation.ts `safeText`:
  // every tag removed, the rest entity-escaped), so reads serve it as stored.
  body: safeText(1, 2000, { multiline: true }),
});
