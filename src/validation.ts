import { z } from 'zod';
import { badUserInput } from './errors.js';

/**
 * Parses untrusted input at the boundary. Failures become BAD_USER_INPUT with
 * `extensions.fieldErrors` keyed by input path (e.g. `input.items.0.quantity`).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, root = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const path = [root, ...issue.path.map(String)].filter((p) => p !== '').join('.') || root || '_';
    fieldErrors[path] ??= issue.message;
  }
  throw badUserInput(fieldErrors);
}

/** Trimmed, bounded text: the default for every free-form string. */
export const text = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min, min === 1 ? 'Must not be empty.' : `Must be at least ${min} characters.`)
    .max(max, `Must be at most ${max} characters.`);

export const uuid = z.string().uuid('Must be a valid id.');

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
