import { z } from 'zod';
import { text, uuid } from '../../validation.js';

export const addReviewInput = z.object({
  productId: uuid,
  rating: z.number().int().min(1, 'Must be between 1 and 5.').max(5, 'Must be between 1 and 5.'),
  // Stored as given (trimmed); HTML is removed on the way out, see reviews.resolvers.
  body: text(1, 2000),
});
