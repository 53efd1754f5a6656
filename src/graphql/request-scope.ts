import type { Viewer } from '../auth/viewer.js';

/**
 * What a service needs to know about the request: who asks, and the request's loaders. A service
 * names the loaders it uses (`RequestScope<OrdersLoaders>`), so a module depends on the loaders
 * of the modules it really reads and on no registry; the GraphQL context satisfies every scope.
 */
export interface RequestScope<L extends object = object> {
  viewer: Viewer;
  loaders: L;
}
