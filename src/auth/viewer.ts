import type { Role, Scope } from '../generated/schema-types.js';

/**
 * Who is asking: decided once per request by the authentication middleware (authenticate.ts),
 * before GraphQL runs, and passed explicitly to every service. There is no ambient "current user".
 */
export type Viewer =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      userId: string;
      role: Role;
      tokenId: string;
      /**
       * The OAuth client the token was issued to (`azp`, else `client_id`): only for tokens of an
       * external OIDC issuer, and only when the token names one. Our own tokens have no client.
       */
      clientId?: string;
    }
  | {
      kind: 'apiKey';
      keyId: string;
      userId: string;
      role: Role;
      scopes: readonly Scope[];
      /** The key's client tier, set by an operator (admin CLI set-key-tier); null: none. */
      tier: string | null;
    };

export const ANONYMOUS: Viewer = Object.freeze({ kind: 'anonymous' });

/** A short, log-safe description of the viewer (ids only, never a credential). */
export function describeViewer(viewer: Viewer): string {
  switch (viewer.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'user':
      return `user:${viewer.userId}`;
    case 'apiKey':
      return `apikey:${viewer.keyId}`;
  }
}
