import { z } from 'zod';
import { multilineText, uuid } from '../../validation.js';

export const addReviewInput = z.strictObject({
  productId: uuid,
  rating: z
    .number()
    .int('Must be between 1 and 5.')
    .min(1, 'Must be between 1 and 5.')
    .max(5, 'Must be between 1 and 5.'),
  // User content: stored as given (trimmed); every HTML tag is removed on the way out
  // (safe-text.ts, applied by the Review.body resolver), so stored markup never reaches a client.
  body: multilineText(1, 2000),
});
