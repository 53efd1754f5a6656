import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCode, HttpError } from '../errors.js';
import type { HttpRateLimit } from './http-rate-limit.js';

export interface BatchLimitOptions {
  /**
   * Operations per batched HTTP request (a JSON array). 0 = batching off, the production value
   * whatever MAX_BATCH_SIZE says (config.ts): one operation per request keeps every limit per
   * request simple to reason about.
   */
  maxBatchSize: number;
  httpRateLimit: HttpRateLimit;
  production: boolean;
}

/**
 * Mounted after body parsing, before authentication and Apollo. A batch must not multiply a
 * client's share: it is capped at `maxBatchSize`, and each operation beyond the first is charged
 * to the HTTP request limit (the request itself was charged once already). Inside Apollo every
 * operation of a batch is parsed, validated, costed, budgeted and rate-limited on its own, so
 * the document, cost and field limits count each one too.
 */
export function createBatchLimit({
  maxBatchSize,
  httpRateLimit,
  production,
}: BatchLimitOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    if (!Array.isArray(body)) return next();
    if (maxBatchSize === 0) {
      return next(new HttpError(400, ErrorCode.BAD_USER_INPUT, 'Batched requests are not accepted.'));
    }
    if (body.length === 0 || body.length > maxBatchSize) {
      const message = production
        ? 'Too many operations in one request.'
        : `A batch holds 1 to ${maxBatchSize} operations; this one has ${body.length}.`;
      return next(new HttpError(400, ErrorCode.BAD_USER_INPUT, message));
    }
    if (body.length === 1) return next();
    httpRateLimit.charge(req, res, body.length - 1).then(() => next(), next);
  };
}
