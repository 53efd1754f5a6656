import type { Viewer } from '../auth/viewer.js';

/**
 * Who a limit is charged to: the user, the API key, or (anonymous) the client IP as Express
 * sees it through the TRUST_PROXY setting, so a client cannot pick its own key with a forged
 * X-Forwarded-For. Ids are opaque UUIDs, never credentials, so keys are safe in Redis and logs.
 * An API key has a budget of its own, separate from its owner's interactive use.
 */
export function clientKey(viewer: Viewer, ip: string): string {
  switch (viewer.kind) {
    case 'user':
      return `user:${viewer.userId}`;
    case 'apiKey':
      return `apikey:${viewer.keyId}`;
    case 'anonymous':
      return `ip:${ip}`;
  }
}
