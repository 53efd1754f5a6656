import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode, HttpError } from '../errors.js';
import type { LimiterFactory } from './limiter-factory.js';

export interface HttpRateLimitOptions {
  limiters: LimiterFactory;
  /** Requests per window per client. Production default 600 (HTTP_RATE_LIMIT). */
  limit: number;
  /** Window length. Production default 60 s (HTTP_RATE_WINDOW_SECONDS). */
  windowSeconds: number;
}

export interface HttpRateLimit {
  /** Charges one request; mounted before body parsing, authentication and GraphQL. */
  middleware: RequestHandler;
  /** Charges `points` more to the same client (every extra operation of a batch). */
  charge(req: Request, res: Response, points: number): Promise<void>;
}

/**
 * The per-client request limit at the HTTP layer: it runs before the body is read, before
 * credentials are checked and before any GraphQL parsing, so a flood costs the server one
 * counter increment per request. The client is its IP as Express sees it through TRUST_PROXY
 * (a forged X-Forwarded-For is ignored unless a trusted proxy set it). Store: Redis shared by
 * every instance, with the in-memory insurance during an outage (limiter-factory).
 *
 * Every response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (seconds, IETF draft); over the limit: 429 RATE_LIMITED with `Retry-After` and
 * `extensions.retryAfter`, logged as a `limit_hit` security event by the HTTP error handler.
 */
export function createHttpRateLimit(options: HttpRateLimitOptions): HttpRateLimit {
  const { limit, windowSeconds } = options;
  const limiter = options.limiters.create({ name: 'rl:http', points: limit, duration: windowSeconds });

  const setHeaders = (res: Response, state: RateLimiterRes) => {
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limit - state.consumedPoints)));
    res.setHeader('RateLimit-Reset', String(Math.max(0, Math.ceil(state.msBeforeNext / 1000))));
  };

  const charge = async (req: Request, res: Response, points: number): Promise<void> => {
    const ip = req.ip ?? 'unknown';
    try {
      setHeaders(res, await limiter.consume(`ip:${ip}`, points));
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      setHeaders(res, error);
      const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      // The HTTP error handler writes the `limit_hit` security event for this 429 (one line).
      throw new HttpError(
        429,
        ErrorCode.RATE_LIMITED,
        'Too many requests, please try again later.',
        { retryAfter },
        { 'Retry-After': String(retryAfter) },
      );
    }
  };

  return {
    charge,
    middleware: (req: Request, res: Response, next: NextFunction) => {
      charge(req, res, 1).then(() => next(), next);
    },
  };
}
