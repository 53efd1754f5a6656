import type { Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '../errors.js';
import { sendRefusal } from './refusal.js';

/** Unknown routes: a coded error instead of Express's HTML page (which echoes the path). */
export function createNotFoundHandler(): RequestHandler {
  return (req: Request, res: Response) => {
    sendRefusal(req, res, { status: 404, code: ErrorCode.NOT_FOUND, message: 'Not found.' });
  };
}
