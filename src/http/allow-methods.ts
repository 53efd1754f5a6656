import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Answers 405 with an `Allow` header and a coded JSON error for any other method, before the
 * request reaches a parser or GraphQL (CORS preflights are answered earlier, by the CORS step).
 */
export function allowMethods(methods: readonly string[]): RequestHandler {
  const allowed = new Set(methods.map((m) => m.toUpperCase()));
  const allow = [...allowed].join(', ');
  return (req: Request, res: Response, next: NextFunction) => {
    if (allowed.has(req.method)) {
      next();
      return;
    }
    res
      .status(405)
      .setHeader('Allow', allow)
      .json({ errors: [{ message: 'Method not allowed.', extensions: { code: 'BAD_USER_INPUT' } }] });
  };
}
