import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCode, HttpError } from '../../errors.js';
import { z } from 'zod';
import { defineProtection } from '../protection.js';

export interface HttpsGuardOptions {
  /** Refuse plain HTTP. Default true; the app passes `config.isProduction`. */
  enabled?: boolean;
  /**
   * Paths served over plain HTTP anyway. Default `/healthz` and `/readyz`: load balancers and
   * orchestrators probe instances directly on their private address, over plain HTTP, and those
   * two answers carry no credential and no user data.
   */
  exemptPaths?: readonly string[];
}

// A Host we are willing to put in a redirect: a hostname (no userinfo, path or odd characters).
const SAFE_HOST = /^[A-Za-z0-9.-]{1,253}$/;

/**
 * In production, refuses requests that did not arrive over HTTPS. `req.secure` is true for native
 * TLS, or when a proxy trusted by Express's `trust proxy` (TRUST_PROXY) says X-Forwarded-Proto is
 * https; an untrusted client's X-Forwarded-Proto is ignored by Express, so it cannot fake it.
 *
 * A GET or HEAD is redirected (308) to the same path on https, so a browser typing the address lands on
 * the secure site. Anything else is refused with 426 and a coded error instead of redirected: its
 * body and credentials have already crossed the network in clear, and a silent redirect would
 * hide that from the client developer.
 */
export function createHttpsGuard(options: HttpsGuardOptions = {}): RequestHandler {
  const { enabled = true, exemptPaths = ['/healthz', '/readyz'] } = options;
  const exempt = new Set(exemptPaths);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!enabled || req.secure || exempt.has(req.path)) {
      next();
      return;
    }
    const host = req.hostname;
    if ((req.method === 'GET' || req.method === 'HEAD') && SAFE_HOST.test(host)) {
      // Never the port of the plain listener: HTTPS is served on the default port behind the proxy.
      res.status(308).location(`https://${host}${req.originalUrl}`).end();
      return;
    }
    next(new HttpError(426, ErrorCode.FORBIDDEN, 'HTTPS is required.', {}, { Upgrade: 'TLS/1.2, HTTP/1.1' }));
  };
}

export const httpsProtection = defineProtection({
  name: 'https',
  phase: 'http',
  summary: 'Production refuses plain HTTP (GET redirected, anything else 426); /healthz and /readyz exempt.',
  env: z.object({}),
  create: (_options, { production }) => ({ everyRequest: [createHttpsGuard({ enabled: production })] }),
});
