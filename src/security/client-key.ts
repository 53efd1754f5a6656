import type { Viewer } from '../auth/viewer.js';

/**
 * Who a limit is charged to: the account for a signed-in viewer, whether it came with an access
 * token or with any of its owner's API keys (keys are free to create, so a bucket per key would
 * multiply every budget), and the client network when anonymous (security/client-network.ts:
 * the IPv4 address or the IPv6 /64, from the address Express resolved through TRUST_PROXY, so a
 * forged X-Forwarded-For picks no key). Ids are opaque UUIDs, never credentials, so keys are
 * safe in Redis and logs.
 */
export function clientKey(viewer: Viewer, network: string): string {
  switch (viewer.kind) {
    case 'user':
    case 'apiKey':
      return accountKey(viewer.userId);
    case 'anonymous':
      return networkKey(network);
  }
}

export const accountKey = (userId: string) => `account:${userId}`;
export const networkKey = (network: string) => `net:${network}`;
