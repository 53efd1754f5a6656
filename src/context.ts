import type { Request, Response } from 'express';
import type { Loaders, Services } from './modules/index.js';
import type { RequestIdentity } from './request.js';

/**
 * Per-request state: built once by the context function, read by every resolver. Protections see
 * only the RequestIdentity part of it.
 */
export interface GraphQLContext extends RequestIdentity {
  loaders: Loaders;
  services: Services;
  /** The Express response, for setting the refresh cookie. */
  res: Response;
  req: Request;
}
