import type { Request } from 'express';
import type { Viewer } from '../auth/viewer.js';
import type { Profile } from '../security/profiles.js';

/** What the HTTP layer learns about a request before GraphQL runs. */
export interface RequestState {
  requestId: string;
  viewer?: Viewer;
  /** The client network limits key on (security/client-network.ts), computed once. */
  network?: string;
  /** Charges more requests to this client's HTTP limit (set by the client-limit protection). */
  chargeClient?: (points: number) => Promise<void>;
  /** The client profile, chosen once the viewer is known; kept for the whole request (a reload does not change it). */
  profile?: Profile;
}

const states = new WeakMap<Request, RequestState>();

export function setRequestState(req: Request, state: RequestState): void {
  states.set(req, state);
}

/** Who and where a request is, as the HTTP layer knows it: what a security event names (audit.ts identityFields). */
export function requestIdentity(req: Request): {
  requestId: string;
  ip: string | undefined;
  network: string | undefined;
  viewer: Viewer | undefined;
  profile: Profile | undefined;
} {
  const state = getRequestState(req);
  return {
    requestId: state.requestId,
    ip: req.ip,
    network: state.network,
    viewer: state.viewer,
    profile: state.profile,
  };
}

export function getRequestState(req: Request): RequestState {
  const state = states.get(req);
  if (!state) throw new Error('request state missing: the request-id middleware must run first');
  return state;
}
