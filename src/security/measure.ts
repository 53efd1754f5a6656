import { identityFields, securityEvent } from '../audit/audit.js';
import type { RequestIdentity } from '../request.js';
import type { Measurable } from './profiles.js';

/**
 * Measure mode (a profile's `measure` list): a protection that would refuse a request serves it
 * unchanged and writes this instead, one `would_refuse` security event (counted in
 * `security_events_total{event="would_refuse"}`) with the code it would have answered and the
 * facts of the case. Used to trial a tighter limit on real traffic before enforcing it.
 */
export function wouldRefuse(
  identity: RequestIdentity,
  protection: Measurable,
  code: string,
  facts: Record<string, unknown>,
): void {
  securityEvent(identity.log, 'would_refuse', {
    ...identityFields(identity),
    protection,
    code,
    ...facts,
  });
}
