import type { Viewer } from './auth/viewer.js';
import type { Loaders } from './loaders.js';

/** What a service needs to know about the request: who asks, and the request's loaders. */
export interface RequestScope {
  viewer: Viewer;
  loaders: Loaders;
}
