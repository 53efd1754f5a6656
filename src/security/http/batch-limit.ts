import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { ErrorCode, HttpError } from '../../errors.js';
import { getRequestState } from '../../http/request-state.js';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';

export interface BatchLimitOptions {
  /** Operations per batched HTTP request (a JSON array); 0 = batching off. */
  maxBatchSize: number;
  production: boolean;
}

/**
 * Mounted after body parsing, before authentication and Apollo. A batch must not multiply a
 * client's share: it is capped at `maxBatchSize`, and each operation beyond the first is charged
 * to the client's HTTP request limit (the request itself was charged once already). Inside Apollo
 * every operation of a batch is parsed, validated, costed, budgeted and rate-limited on its own,
 * so the document, cost and field limits count each one too.
 */
export function createBatchLimit({ maxBatchSize, production }: BatchLimitOptions): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
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
    const charge = getRequestState(req).chargeClient;
    if (body.length === 1 || !charge) return next();
    charge(body.length - 1).then(() => next(), next);
  };
}

/** Batching is off in production whatever MAX_BATCH_SIZE says: one operation per request keeps every limit per request. */
export const batchSizeInForce = (configured: number, production: boolean) => (production ? 0 : configured);

export const batchLimitProtection = defineProtection({
  name: 'batchLimit',
  phase: 'http',
  summary:
    'Batched requests (JSON arrays): refused in production, else capped, each extra operation charged to the client limit.',
  env: z.object({
    MAX_BATCH_SIZE: int(0, 100)
      .default(0)
      .describe('Operations per batched request; 0 = batching off (always 0 in production).'),
  }),
  create: (options, { production }) => {
    const maxBatchSize = batchSizeInForce(options.MAX_BATCH_SIZE, production);
    return {
      graphqlRequest: [createBatchLimit({ maxBatchSize, production })],
      apollo: { allowBatchedHttpRequests: maxBatchSize > 0 },
    };
  },
});
