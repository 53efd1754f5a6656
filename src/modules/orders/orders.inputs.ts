import { z } from 'zod';
import { text, uuid } from '../../validation.js';

export const orderId = z.object({ id: uuid });

export const createOrderInput = z.object({
  items: z
    .array(
      z.object({
        productId: uuid,
        quantity: z
          .number()
          .int()
          .min(1, 'Must be between 1 and 100.')
          .max(100, 'Must be between 1 and 100.'),
      }),
    )
    .min(1, 'Must have between 1 and 50 items.')
    .max(50, 'Must have between 1 and 50 items.'),
  shippingAddress: z.object({
    line1: text(5, 200),
    city: text(2, 100),
    postcode: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9 -]{3,10}$/, 'Must be 3 to 10 letters, digits, spaces or dashes.'),
    country: z.enum(['IN', 'US', 'GB', 'AU']),
  }),
  promoCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9-]{4,20}$/, 'Must be 4 to 20 letters, digits or dashes.')
    .nullish(),
});
