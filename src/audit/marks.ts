import type { SecurityEventType } from './events.js';

/** What a refused request is logged with: ids and names only, never a value the client sent. */
export interface SecurityMark {
  event: Extract<SecurityEventType, 'authz_denied' | 'validation_failure'>;
  details: Record<string, unknown>;
}

// Errors are marked out of band (a WeakMap, not an extension): the mark never reaches the client,
// so "not yours" (marked, logged) and "not there" (unmarked) stay byte-for-byte identical on the wire.
const marks = new WeakMap<object, SecurityMark>();

/** Attaches a security-event mark to an error about to be thrown; returns the same error. */
export function markSecurityEvent<E extends Error>(error: E, mark: SecurityMark): E {
  marks.set(error, mark);
  return error;
}

/** The mark of an error, or of the error it wraps (graphql-js wraps resolver errors once). */
export function securityMarkOf(error: unknown): SecurityMark | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = marks.get(error);
  if (own) return own;
  const original = (error as { originalError?: unknown }).originalError;
  return typeof original === 'object' && original !== null ? marks.get(original) : undefined;
}
