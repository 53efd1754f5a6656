import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode, HttpError, retryAfterSeconds } from '../../errors.js';
import { z } from 'zod';
import { getRequestState } from '../../http/request-state.js';
import type { LimiterFactory } from '../../store/limiters.js';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';

export interface HttpRateLimitOptions {
  limiters: LimiterFactory;
  /** Requests per window per client (HTTP_RATE_LIMIT). */
  limit: number;
  /** Window length in seconds (HTTP_RATE_WINDOW_SECONDS). */
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
 * every instance, with the in-memory insurance during an outage (store/limiters.ts).
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
      const retryAfter = retryAfterSeconds(error.msBeforeNext);
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
      // Later steps (the batch limit) charge extra operations to the same client through this.
      getRequestState(req).chargeClient = (points) => charge(req, res, points);
      charge(req, res, 1).then(() => next(), next);
    },
  };
}

export const clientLimitProtection = defineProtection({
  name: 'clientLimit',
  phase: 'http',
  summary:
    'Requests per client per window, counted before the body is read: 429 + Retry-After, RateLimit-* headers.',
  env: z.object({
    HTTP_RATE_LIMIT: int(1, 1_000_000).default(600).describe('Requests per window per client.'),
    HTTP_RATE_WINDOW_SECONDS: int(1, 86_400).default(60).describe('Length of that window, in seconds.'),
  }),
  create: (options, { limiters }) => ({
    graphqlRequest: [
      createHttpRateLimit({
        limiters,
        limit: options.HTTP_RATE_LIMIT,
        windowSeconds: options.HTTP_RATE_WINDOW_SECONDS,
      }).middleware,
    ],
  }),
});
