import type { SecurityEventType } from './events.js';

/** What a refused request is logged with: ids and names only, never a value the client sent. */
export interface SecurityMark {
  event: Extract<SecurityEventType, 'authz_denied' | 'validation_failure'>;
  /** The decision's owner: `auth` (@auth), `policy` (object-level), `inputValidation` (parseInput). */
  protection: string;
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

/** Which protection refused, and the bounded facts of the case (a limit and what was observed). */
export interface Attribution {
  protection: string;
  facts?: Record<string, string | number | boolean>;
  /** The decision's event is written already (by the code that decided): the audit plugin skips it. */
  logged?: boolean;
}

// Out of band too: the attribution is for the security event and the metrics, never the client.
const attributions = new WeakMap<object, Attribution>();

/** Records which protection refused with `error`; returns the same error. The first one wins. */
export function attributeTo<E extends object>(
  error: E,
  protection: string,
  { facts, logged }: Omit<Attribution, 'protection'> = {},
): E {
  if (!attributions.has(error))
    attributions.set(error, { protection, ...(facts ? { facts } : {}), ...(logged ? { logged } : {}) });
  return error;
}

/** The attribution of an error, or of the error it wraps (Apollo and graphql-js wrap errors). */
export function attributionOf(error: unknown): Attribution | undefined {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 3; depth++) {
    const own = attributions.get(e);
    if (own) return own;
    e = (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}
