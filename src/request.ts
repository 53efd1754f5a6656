import type { Logger } from 'pino';
import type { Viewer } from './auth/viewer.js';

/**
 * What a protection may know about a request: who asks, from which client network, under which
 * request id, and where to log. Protections take this narrow identity instead of the whole
 * GraphQL context, so a generic protection never depends on the domain modules; the GraphQL
 * context extends it with loaders and services.
 */
export interface RequestIdentity {
  requestId: string;
  ip: string;
  viewer: Viewer;
  log: Logger;
}
