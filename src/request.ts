import type { Logger } from 'pino';
import type { Viewer } from './auth/viewer.js';
import type { Profile } from './security/profiles.js';

/**
 * What a protection may know about a request: who asks, from which client network, under which
 * request id, and where to log. Protections take this narrow identity instead of the whole
 * GraphQL context, so a generic protection never depends on the domain modules; the GraphQL
 * context extends it with loaders and services.
 */
export interface RequestIdentity {
  requestId: string;
  /** The full client address, for logs. */
  ip: string;
  /**
   * The client network (the IPv4 address, or the IPv6 /CLIENT_IPV6_PREFIX network): what every
   * limit that keys on an address uses (security/client-network.ts).
   */
  network: string;
  viewer: Viewer;
  /** The client profile in force for this request (security/profiles.ts). */
  profile: Profile;
  log: Logger;
}
