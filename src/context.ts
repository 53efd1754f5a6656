import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Viewer } from './auth/viewer.js';
import type { Loaders, Services } from './modules/index.js';

/** Per-request state: built once by the context function, read by every resolver. */
export interface GraphQLContext {
  requestId: string;
  ip: string;
  viewer: Viewer;
  loaders: Loaders;
  services: Services;
  log: Logger;
  /** The Express response, for setting the refresh cookie. */
  res: Response;
  req: Request;
  /** Per-request state of the rate-limit directive and the cost budget. */
  rateLimit?: Record<string, unknown>;
}
