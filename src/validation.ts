import { z } from 'zod';
import { badUserInput } from './errors.js';
import { markSecurityEvent } from './audit/marks.js';
import { MULTI_LINE_FORBIDDEN, SINGLE_LINE_FORBIDDEN, toSafeText } from './text/safe-text.js';

/**
 * Parses untrusted input at the boundary. Failures become BAD_USER_INPUT with
 * `extensions.fieldErrors` keyed by input path (e.g. `input.items.0.quantity`); the messages are
 * ours (never the value the client sent), and the failure is logged as a security event.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, root = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const path = [root, ...issue.path.map(String)].filter((p) => p !== '').join('.') || root || '_';
    fieldErrors[path] ??= issue.message;
  }
  throw markSecurityEvent(badUserInput(fieldErrors), {
    event: 'validation_failure',
    protection: 'inputValidation',
    details: { fields: Object.keys(fieldErrors) },
  });
}

const bounded = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min, min === 1 ? 'Must not be empty.' : `Must be at least ${min} characters.`)
    .max(max, `Must be at most ${max} characters.`);

const CONTROL_CHARACTERS = 'Must not contain control characters.';

/**
 * The one rule for user-entered text that is stored and served back (names, review bodies, key
 * names, addresses, product texts, and the search term matched against them): sanitised on
 * write, so reads serve it as stored. Single-line unless `multiline` (which keeps \t \n \r).
 *
 * 1. trimmed, bounded (min..max) and refused for control characters, on the text **as the client
 *    sent it**: the contract's lengths are the client's lengths;
 * 2. transformed to the safe form (`toSafeText`, src/text/safe-text.ts): every tag removed, the
 *    rest entity-escaped. Escaping can lengthen it up to five-fold (`&` → `&amp;`): a 2,000-char
 *    body of `<` is stored and served as 2,000 × `&lt;` (8,000 chars). Columns are `text`;
 *    nothing downstream bounds the stored length;
 * 3. refused when nothing but markup was sent (min ≥ 1 and the safe form is blank), and when
 *    decoding entities produced a control character (`&#x202E;`).
 */
export const safeText = (min: number, max: number, { multiline = false }: { multiline?: boolean } = {}) => {
  const forbidden = multiline ? MULTI_LINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN;
  return bounded(min, max)
    .refine((v) => !forbidden.test(v), CONTROL_CHARACTERS)
    .transform(toSafeText)
    .refine((v) => min === 0 || v.trim() !== '', 'Must contain text, not only markup.')
    .refine((v) => !forbidden.test(v), CONTROL_CHARACTERS);
};

export const uuid = z.string().max(36, 'Must be a valid id.').uuid('Must be a valid id.');

// Stored and compared in lower case, so Alice@Example.com and alice@example.com are one account.
// The reserved .invalid TLD (RFC 2606) never receives mail; OIDC placeholder addresses live there.
export const email = z
  .string()
  .trim()
  .max(254, 'Must be at most 254 characters.')
  .email('Must be a valid email address.')
  .refine((v) => !/\.invalid\.?$/i.test(v), 'Must be a valid email address.')
  .transform((v) => v.toLowerCase());

export const password = z
  .string()
  .min(12, 'Must be at least 12 characters.')
  .max(128, 'Must be at most 128 characters.');

/** A person's name: stored in the safe form (`safeText`). */
export const personName = safeText(1, 80);
