import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { ErrorCode, HttpError } from '../../errors.js';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';

/** A GraphQL Name (spec §2.1.9). */
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * `operationName` is client text that is copied into every log line and security event of the
 * request: a 90 KB name would be written into each of them. Anything but a GraphQL name of bounded
 * length can name no operation of the document, so it is refused before GraphQL runs.
 */
export function refuseBadOperationName(maxLength: number): RequestHandler {
  const valid = (name: unknown) =>
    name === undefined ||
    name === null ||
    (typeof name === 'string' && name.length <= maxLength && GRAPHQL_NAME.test(name));
  return (req: Request, _res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    const names =
      req.method === 'GET'
        ? [req.query.operationName]
        : (Array.isArray(body) ? body : [body]).map((op: unknown) =>
            typeof op === 'object' && op !== null
              ? (op as { operationName?: unknown }).operationName
              : undefined,
          );
    if (names.every(valid)) return next();
    next(new HttpError(400, ErrorCode.BAD_USER_INPUT, 'operationName must be a GraphQL name.'));
  };
}

export const operationNameProtection = defineProtection({
  name: 'operationName',
  phase: 'http',
  summary: 'operationName must be a GraphQL name of bounded length (400): it is copied into every log line.',
  env: z.object({
    MAX_OPERATION_NAME_LENGTH: int(1, 1000)
      .default(100)
      .describe('Longest operationName accepted, in characters.'),
  }),
  create: (options) => ({ graphqlRequest: [refuseBadOperationName(options.MAX_OPERATION_NAME_LENGTH)] }),
});
