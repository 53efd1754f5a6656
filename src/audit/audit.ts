import type { Logger } from 'pino';
import { describeViewer, type Viewer } from '../auth/viewer.js';
import type { SecurityEventType } from './events.js';

export interface SecurityEventFields {
  requestId?: string | undefined;
  ip?: string | undefined;
  viewer?: string | undefined;
  operationName?: string | null | undefined;
  [key: string]: unknown;
}

/** The identity fields of a request as every event carries them (ids only, never a credential). */
export function identityFields(identity: {
  requestId: string;
  ip: string | undefined;
  network?: string | undefined;
  viewer: Viewer | undefined;
  profile?: { name: string } | undefined;
}): SecurityEventFields {
  return {
    requestId: identity.requestId,
    ip: identity.ip,
    ...(identity.network !== undefined ? { network: identity.network } : {}),
    viewer: identity.viewer ? describeViewer(identity.viewer) : 'anonymous',
    ...(identity.profile !== undefined ? { profile: identity.profile.name } : {}),
  };
}

/**
 * The version of the event format (docs/observability.md#security-events): raised when a field is
 * renamed or removed, not when one is added.
 */
export const SECURITY_EVENT_VERSION = 1;

/** Counts one event (observability/metrics.ts: `security_events_total`). */
export type CountEvent = (event: SecurityEventType, protection: string, code: string) => void;

const EVENT_COUNTER = Symbol('security event counter');

/**
 * A logger whose every security event is also counted, once, by `count`. The counter rides on the
 * logger: pino's children inherit from their parent (Object.create), so every request logger
 * derived from this one finds it, and no caller of securityEvent passes metrics around.
 */
export function countingSecurityEvents(log: Logger, count: CountEvent): Logger {
  const counting = log.child({});
  Object.defineProperty(counting, EVENT_COUNTER, { value: count });
  return counting;
}

/**
 * The one writer of security events: one structured line per security decision, always with the
 * same top-level keys (`security: true`, `event`), so that an attack leaves a trace that can be
 * searched and alerted on. Every security event of the app goes through here.
 */
export function securityEvent(log: Logger, event: SecurityEventType, fields: SecurityEventFields): void {
  const count: unknown = Reflect.get(log, EVENT_COUNTER);
  if (typeof count === 'function')
    (count as CountEvent)(
      event,
      typeof fields.protection === 'string' ? fields.protection : 'none',
      typeof fields.code === 'string' ? fields.code : 'none',
    );
  log.warn(
    {
      security: true,
      event,
      eventVersion: SECURITY_EVENT_VERSION,
      ...(bounded(fields) as SecurityEventFields),
    },
    `security event: ${event}`,
  );
}

/**
 * Longest string an event carries. Client text reaches events (an alias in an error path is one
 * token of up to the body limit); an attacker must not be able to write 100 KB into every line.
 */
export const MAX_LOGGED_STRING = 200;

/** Strings cut to MAX_LOGGED_STRING (with the length they had), at any depth up to 4. */
function bounded(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.length <= MAX_LOGGED_STRING
      ? value
      : `${value.slice(0, MAX_LOGGED_STRING)}…(${value.length} chars)`;
  if (depth >= 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => bounded(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bounded(v, depth + 1)]));
}
