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
  viewer: Viewer | undefined;
}): SecurityEventFields {
  return {
    requestId: identity.requestId,
    ip: identity.ip,
    viewer: identity.viewer ? describeViewer(identity.viewer) : 'anonymous',
  };
}

/**
 * The one writer of security events: one structured line per security decision, always with the
 * same top-level keys (`security: true`, `event`), so that an attack leaves a trace that can be
 * searched and alerted on. Every security event of the app goes through here.
 */
export function securityEvent(log: Logger, event: SecurityEventType, fields: SecurityEventFields): void {
  log.warn({ security: true, event, ...fields }, `security event: ${event}`);
}
