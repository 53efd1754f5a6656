import { z } from 'zod';
import { Country } from '../../generated/schema-types.js';
import { safeText, uuid } from '../../validation.js';

export const orderId = z.object({ id: uuid });

// strictObject throughout: GraphQL already refuses fields the input types do not declare, and
// these schemas refuse them again, so a price or total can never be smuggled in (mass assignment).
// Prices and totals are always computed by the server from the catalogue.
export const createOrderInput = z.strictObject({
  items: z
    .array(
      z.strictObject({
        productId: uuid,
        quantity: z
          .number()
          .int('Must be between 1 and 100.')
          .min(1, 'Must be between 1 and 100.')
          .max(100, 'Must be between 1 and 100.'),
      }),
    )
    .min(1, 'Must have between 1 and 50 items.')
    .max(50, 'Must have between 1 and 50 items.'),
  shippingAddress: z.strictObject({
    line1: safeText(5, 200),
    city: safeText(2, 100),
    // Whitelist patterns (docs/api.md). Postcodes and promo codes are case-insensitive: normalised
    // to upper case before the check, and stored that way. The whitelists admit no `<`, `>` or
    // `&`, so these are already in the safe form (`safeText` would leave them unchanged).
    postcode: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9 -]{3,10}$/, 'Must be 3 to 10 letters, digits, spaces or dashes.'),
    country: z.enum(Country),
  }),
  promoCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9-]{4,20}$/, 'Must be 4 to 20 letters, digits or dashes.')
    .nullish(),
});
