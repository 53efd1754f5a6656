import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs `handlers` in order as one Express handler. Express gives each `app.use` handler a router
 * layer of its own (path matching, parameter processing, a closure per `next`) on every request;
 * the GraphQL path has a dozen handlers, and that bookkeeping was a measurable share of a small
 * request (bench: docs/performance.md). Semantics kept: `next()` goes on,
 * `next(error)` (or a throw, or a rejected promise) skips to Express's error handlers, and a
 * handler that answers simply does not call `next`.
 */
export function compose(handlers: readonly RequestHandler[]): RequestHandler {
  if (handlers.length === 1) return handlers[0]!;
  return (req: Request, res: Response, done: NextFunction) => {
    let index = 0;
    const next = (error?: unknown): void => {
      if (error !== undefined && error !== null) return done(error);
      const handler = handlers[index++];
      if (!handler) return done();
      try {
        const result: unknown = handler(req, res, next);
        if (result instanceof Promise) result.catch((e: unknown) => done(e ?? new Error('rejected')));
      } catch (thrown) {
        done(thrown);
      }
    };
    next();
  };
}
