import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { z } from 'zod';
import { defineProtection } from '../protection.js';

export interface HttpHeadersOptions {
  /**
   * Serve the Apollo Sandbox landing page with its own CSP (development only). Default false:
   * in production the landing page is disabled, so every response gets the strict API policy.
   */
  landingPage?: boolean;
  /** HSTS max-age in seconds. Default one year, the minimum browsers' preload lists accept. */
  hstsMaxAgeSeconds?: number;
}

// What Apollo's landing page loads (read from the HTML that @apollo/server 5 returns for
// `GET /graphql` with `Accept: text/html`, and from its own <meta> CSP): its scripts and styles
// carry a per-render nonce, the Sandbox script and styles come from Apollo's CDN, the Sandbox
// itself runs in an iframe from sandbox.embed.apollographql.com, and the page's stylesheet pulls
// a Google font. The list is exactly Apollo's own allowlist, no wider.
const APOLLO_SCRIPT_HOSTS = [
  'https://apollo-server-landing-page.cdn.apollographql.com',
  'https://embeddable-sandbox.cdn.apollographql.com',
  'https://embeddable-explorer.cdn.apollographql.com',
];
const APOLLO_STYLE_HOSTS = [...APOLLO_SCRIPT_HOSTS, 'https://fonts.googleapis.com'];
const APOLLO_FRAME_HOSTS = [
  'https://sandbox.embed.apollographql.com',
  'https://explorer.embed.apollographql.com',
];
const APOLLO_ASSET_HOST = 'https://apollo-server-landing-page.cdn.apollographql.com';

/**
 * The policy of the one HTML response (development Sandbox). The nonce is the one Apollo put in
 * the page, so only Apollo's own inline script and style run; no 'unsafe-inline', no 'unsafe-eval'.
 * `connect-src 'self'`: the embedded Sandbox sends operations from this page to this endpoint.
 */
function landingPageCsp(nonce: string): string {
  const n = `'nonce-${nonce}'`;
  return [
    "default-src 'none'",
    `script-src 'self' ${n} ${APOLLO_SCRIPT_HOSTS.join(' ')}`,
    `style-src ${n} ${APOLLO_STYLE_HOSTS.join(' ')}`,
    `img-src ${APOLLO_ASSET_HOST}`,
    `manifest-src ${APOLLO_ASSET_HOST}`,
    'font-src https://fonts.gstatic.com',
    `frame-src ${APOLLO_FRAME_HOSTS.join(' ')}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    // The Sandbox may embed others; nobody may embed the Sandbox (click-jacking).
    "frame-ancestors 'none'",
  ].join('; ');
}

// Apollo renders `<meta http-equiv="Content-Security-Policy" content="script-src 'self' 'nonce-…'`.
const NONCE_IN_PAGE = /http-equiv="Content-Security-Policy"[^>]*'nonce-([A-Za-z0-9+/=_-]{16,128})'/;

/**
 * Security headers for every response: helmet with HSTS (one year, includeSubDomains), nosniff,
 * X-Frame-Options DENY + frame-ancestors 'none', Referrer-Policy no-referrer, same-origin
 * Cross-Origin-Resource-Policy, and the strict API CSP. In development the Sandbox HTML page gets
 * its own CSP instead (a global `default-src 'none'` would blank it).
 */
export function createHttpHeaders(options: HttpHeadersOptions = {}): RequestHandler[] {
  const { landingPage = false, hstsMaxAgeSeconds = 31_536_000 } = options;
  const base = helmet({
    // The policy of every API response (JSON): it loads nothing, runs nothing and may be framed
    // by nobody. An API answer rendered as a document (a mistake, a sniffing proxy, an attacker's
    // iframe) then cannot execute anything or be click-jacked.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    // HSTS: browsers that once reached us over HTTPS never try plain HTTP again (including
    // subdomains), which closes the SSL-stripping window. Ignored by browsers on plain HTTP.
    strictTransportSecurity: { maxAge: hstsMaxAgeSeconds, includeSubDomains: true },
    // Old browsers that do not know frame-ancestors still honour X-Frame-Options.
    xFrameOptions: { action: 'deny' },
    // Tokens or ids in URLs never leak to other sites through the Referer header.
    referrerPolicy: { policy: 'no-referrer' },
    // No other site can embed our responses as no-cors resources (Spectre-style reads); CORS
    // requests from allowed origins are governed by CORS, not by this header.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    xPoweredBy: false,
  });

  // helmet's headers depend on its options only: they are computed once, here, by running helmet
  // against a recording response, and every request gets the recorded list (no dozen helmet
  // middlewares per request). Answers depend on the viewer and carry tokens, keys and budgets: no
  // cache (a browser's, a proxy's or a CDN's) may keep one. A public route may say otherwise (JWKS).
  const headers: readonly (readonly [string, string])[] = [
    ...recordHeaders(base),
    ['Cache-Control', 'no-store'],
  ];
  const handlers: RequestHandler[] = [
    (_req: Request, res: Response, next: NextFunction) => {
      for (const [name, value] of headers) res.setHeader(name, value);
      // Belt and braces: app.disable('x-powered-by') stops Express adding it.
      res.removeHeader('X-Powered-By');
      next();
    },
  ];
  if (landingPage) handlers.push(landingPageHeaders);
  return handlers;
}

/**
 * The headers a helmet middleware sets, recorded once. Helmet sets fixed values from its options
 * (no per-request nonce here); should it ever do anything else with the response, or answer
 * asynchronously, start-up fails rather than serving without the headers.
 */
function recordHeaders(middleware: RequestHandler): [string, string][] {
  const recorded = new Map<string, string>();
  const response = {
    setHeader(name: string, value: unknown) {
      recorded.set(name, String(value));
      return response;
    },
    removeHeader(name: string) {
      recorded.delete(name);
    },
  };
  let finished = false;
  void middleware({} as Request, response as unknown as Response, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    finished = true;
  });
  if (!finished || recorded.size === 0) throw new Error('helmet did not set its headers synchronously');
  return [...recorded];
}

/**
 * For browser GETs only: when the response turns out to be Apollo's HTML landing page, swap the
 * API CSP for the landing-page CSP carrying the nonce Apollo put in the page. Any other body keeps
 * the strict API policy; a page without a recognisable nonce keeps it too (fail closed).
 */
function landingPageHeaders(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'GET' || !req.accepts('text/html')) {
    next();
    return;
  }
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    const type = String(res.getHeader('content-type') ?? '');
    if (typeof body === 'string' && type.startsWith('text/html')) {
      const nonce = NONCE_IN_PAGE.exec(body)?.[1];
      if (nonce) res.setHeader('Content-Security-Policy', landingPageCsp(nonce));
    }
    return send(body);
  };
  next();
}

export const headersProtection = defineProtection({
  name: 'headers',
  phase: 'http',
  summary:
    'helmet: HSTS, nosniff, frame denial, no referrer, strict CSP (the development Sandbox page gets its own).',
  env: z.object({}),
  create: (_options, { production }) => ({ everyRequest: createHttpHeaders({ landingPage: !production }) }),
});
