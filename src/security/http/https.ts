import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCode, HttpError } from '../../errors.js';
import { z } from 'zod';
import { defineProtection } from '../protection.js';

export interface HttpsGuardOptions {
  /** Refuse plain HTTP. Default true; the app passes `config.isProduction`. */
  enabled?: boolean;
  /**
   * The canonical `https://host[:port]` origin a plain-HTTP GET or HEAD is redirected to. Unset:
   * plain HTTP is refused (426) whatever the method. Never derived from Host / X-Forwarded-Host,
   * which the client controls.
   */
  publicOrigin?: string;
  /**
   * Paths served over plain HTTP anyway. Default `/healthz` and `/readyz`: load balancers and
   * orchestrators probe instances directly on their private address, over plain HTTP, and those
   * two answers carry no credential and no user data.
   */
  exemptPaths?: readonly string[];
}

// An https origin: scheme, hostname and optional port; no userinfo, path, query or fragment.
const HTTPS_ORIGIN = /^https:\/\/[A-Za-z0-9.-]{1,253}(:\d{1,5})?\/?$/;

/** The PUBLIC_ORIGIN option: an `https://host[:port]` origin, normalised (no trailing slash). */
export const httpsOrigin = z
  .string()
  .regex(HTTPS_ORIGIN, 'an https://host[:port] origin, without a path')
  .refine((v) => URL.canParse(v), 'an https://host[:port] origin, without a path')
  .transform((v) => new URL(v).origin);

/** The path and query of the request, never an authority (an absolute-form target falls back to `/`). */
function pathAndQuery(req: Request): string {
  const url = req.originalUrl;
  return url.startsWith('/') ? url : '/';
}

/**
 * In production, refuses requests that did not arrive over HTTPS. `req.secure` is true for native
 * TLS, or when a proxy trusted by Express's `trust proxy` (TRUST_PROXY) says X-Forwarded-Proto is
 * https; an untrusted client's X-Forwarded-Proto is ignored by Express, so it cannot fake it.
 *
 * With a configured public origin, a GET or HEAD is redirected (308, `Cache-Control: no-store`) to
 * the same path and query on that origin, so a browser typing the address lands on the secure site;
 * the Location never carries the request's Host or X-Forwarded-Host (an open redirect otherwise).
 * Anything else, and every request when no origin is configured, is refused with 426 and a coded
 * error instead of redirected: its body and credentials have already crossed the network in clear,
 * and a silent redirect would hide that from the client developer.
 */
export function createHttpsGuard(options: HttpsGuardOptions = {}): RequestHandler {
  const { enabled = true, publicOrigin, exemptPaths = ['/healthz', '/readyz'] } = options;
  const exempt = new Set(exemptPaths);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!enabled || req.secure || exempt.has(req.path)) {
      next();
      return;
    }
    if (publicOrigin !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      res
        .status(308)
        .set('Cache-Control', 'no-store')
        .location(`${publicOrigin}${pathAndQuery(req)}`)
        .end();
      return;
    }
    next(new HttpError(426, ErrorCode.FORBIDDEN, 'HTTPS is required.', {}, { Upgrade: 'TLS/1.2, HTTP/1.1' }));
  };
}

export const httpsProtection = defineProtection({
  name: 'https',
  phase: 'http',
  summary:
    'Production refuses plain HTTP (426), or redirects a GET/HEAD to PUBLIC_ORIGIN (never to the Host header); /healthz and /readyz exempt.',
  env: z.object({
    PUBLIC_ORIGIN: httpsOrigin
      .optional()
      .describe(
        'The canonical https://host[:port] origin plain-HTTP GET/HEAD requests are redirected to (308, no-store); unset: refused with 426.',
      ),
  }),
  create: (options, { production }) => ({
    everyRequest: [createHttpsGuard({ enabled: production, publicOrigin: options.PUBLIC_ORIGIN })],
  }),
});
