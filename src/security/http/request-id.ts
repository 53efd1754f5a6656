import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { setRequestState } from '../../http/request-state.js';
import { z } from 'zod';
import { defineProtection } from '../protection.js';

export interface RequestIdOptions {
  /**
   * Accept the caller's X-Request-Id. Default false. The app passes true only when TRUST_PROXY
   * is set: then the header comes from our own proxy, which generated it, and reusing it ties our
   * log lines to the proxy's. Without a trusted proxy the header comes from the client, who could
   * reuse another request's id (or a victim's) to muddle the audit trail, so we always generate.
   */
  trustIncoming?: boolean;
}

// Even a trusted id must be a sane token, so ids in logs never carry injected text.
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** First in the pipeline: every later log line and error can name the request. */
export function createRequestId(options: RequestIdOptions = {}): RequestHandler {
  const { trustIncoming = false } = options;
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = trustIncoming ? req.headers['x-request-id'] : undefined;
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    setRequestState(req, { requestId });
    res.setHeader('X-Request-Id', requestId);
    next();
  };
}

export const requestIdProtection = defineProtection({
  name: 'requestId',
  phase: 'http',
  summary:
    'A request id on every response, log line and masked error (a client id only from a trusted proxy).',
  env: z.object({}),
  create: (_options, { trustProxy }) => ({
    everyRequest: [createRequestId({ trustIncoming: trustProxy !== false })],
  }),
});
