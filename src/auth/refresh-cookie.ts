import { parseCookie } from 'cookie';
import type { Request, Response } from 'express';

/**
 * The refresh cookie's name. `__Host-` makes the browser accept it only when it is Secure, set
 * from a secure origin, with Path=/ and no Domain: a sibling subdomain or a network attacker on
 * plain http cannot plant or overwrite it (no session fixation, no cookie tossing). That is worth
 * more than narrowing Path to /graphql, which is not a security boundary anyway (RFC 6265 §8.5);
 * this host serves nothing but the API, so the cookie goes nowhere else of note.
 */
export const REFRESH_COOKIE = '__Host-sgql_refresh';
/** The sliding TTL: a session family unused for 7 days ends (the absolute lifetime caps it too). */
export const REFRESH_TTL_SECONDS = 7 * 24 * 60 * 60;
/** 32 random bytes in base64url: exactly what we issue; anything else is refused unhashed. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const options = {
  // httpOnly: page scripts (and so XSS) cannot read it. SameSite=Strict: no cross-site request
  // carries it, which with Apollo's CSRF prevention closes refresh/logout CSRF. Secure: never
  // sent over plain http (browsers treat http://localhost as secure for development).
  httpOnly: true,
  secure: true,
  sameSite: 'strict' as const,
  path: '/',
};

/**
 * The refresh token of the request's cookie, parsed here and only here: the two operations that
 * read it (refreshSession, logout) pay for parsing the Cookie header, no other request does.
 */
export function readRefreshCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  const value = header ? parseCookie(header)[REFRESH_COOKIE] : undefined;
  return typeof value === 'string' && TOKEN_PATTERN.test(value) ? value : undefined;
}

/** Sets the cookie for as long as its token lives (`maxAgeSeconds`: the store's TTL for it). */
export function setRefreshCookie(res: Response, token: string, maxAgeSeconds = REFRESH_TTL_SECONDS): void {
  res.cookie(REFRESH_COOKIE, token, { ...options, maxAge: maxAgeSeconds * 1000 });
}

export function clearRefreshCookie(res: Response): void {
  res.clearCookie(REFRESH_COOKIE, options);
}
