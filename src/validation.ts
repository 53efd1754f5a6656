import { z } from 'zod';
import { badUserInput } from './errors.js';
import { markSecurityEvent } from './audit/marks.js';

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
    details: { fields: Object.keys(fieldErrors) },
  });
}

// Whitelisting by exclusion of the invisible: C0/C1 control characters and the Unicode bidi
// overrides let a name or address render differently from what is stored (log forging,
// "admin\u202E" spoofing). Single-line text refuses all of them; multi-line text keeps \t \n \r.
/* eslint-disable no-control-regex -- matching control characters is the point */
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const MULTI_LINE_FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/* eslint-enable no-control-regex */

const bounded = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min, min === 1 ? 'Must not be empty.' : `Must be at least ${min} characters.`)
    .max(max, `Must be at most ${max} characters.`);

/** Trimmed, bounded, single-line text: the default for every free-form string. */
export const text = (min: number, max: number) =>
  bounded(min, max).refine((v) => !SINGLE_LINE_FORBIDDEN.test(v), 'Must not contain control characters.');

/** Trimmed, bounded text that may span lines (review bodies, descriptions). */
export const multilineText = (min: number, max: number) =>
  bounded(min, max).refine((v) => !MULTI_LINE_FORBIDDEN.test(v), 'Must not contain control characters.');

export const uuid = z.string().max(36, 'Must be a valid id.').uuid('Must be a valid id.');

// Stored and compared in lower case, so Alice@Example.com and alice@example.com are one account.
export const email = z
  .string()
  .trim()
  .max(254, 'Must be at most 254 characters.')
  .email('Must be a valid email address.')
  .transform((v) => v.toLowerCase());

export const password = z
  .string()
  .min(12, 'Must be at least 12 characters.')
  .max(128, 'Must be at most 128 characters.');

export const personName = text(1, 80);
