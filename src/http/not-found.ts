import type { Request, RequestHandler, Response } from 'express';

/** Unknown routes: a coded JSON 404 instead of Express's HTML page (which echoes the path). */
export function createNotFoundHandler(): RequestHandler {
  return (_req: Request, res: Response) => {
    res.status(404).json({ errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
  };
}
