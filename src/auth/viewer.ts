import type { Role, Scope } from '../db/rows.js';

/**
 * Who is asking: decided once per request in the context function and passed explicitly to
 * every service. There is no ambient "current user".
 */
export type Viewer =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; role: Role; tokenId: string }
  | { kind: 'apiKey'; keyId: string; userId: string; role: Role; scopes: readonly Scope[] };

export const ANONYMOUS: Viewer = Object.freeze({ kind: 'anonymous' });

/** The user a viewer acts for, or null when anonymous. */
export function viewerUserId(viewer: Viewer): string | null {
  return viewer.kind === 'anonymous' ? null : viewer.userId;
}

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
