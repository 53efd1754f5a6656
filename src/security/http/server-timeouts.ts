import type http from 'node:http';
import { z } from 'zod';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';

export interface ServerTimeouts {
  /** Time allowed to receive the request headers (slowloris). */
  headersTimeoutMs: number;
  /** Time allowed to receive the whole request (slow bodies). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
}

/**
 * Slow clients must not hold sockets open (slowloris, slow bodies): headers, whole requests and
 * idle keep-alive connections are each bounded. Node enforces the first two only when it sweeps
 * its connections, every `connectionsCheckingInterval` (30 s by default, which would let a
 * 10 s header timeout last 40 s), so the sweep runs at a quarter of the header timeout.
 * Must be called before listen(): the sweep interval is read when the server starts listening.
 */
export function applyServerTimeouts(server: http.Server, timeouts: ServerTimeouts): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  (server as http.Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    250,
    Math.floor(Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4),
  );
}

export const serverTimeoutsProtection = defineProtection({
  name: 'serverTimeouts',
  phase: 'http',
  summary: 'Slow clients cannot hold sockets: header, whole-request and keep-alive timeouts (408 / close).',
  env: z.object({
    HTTP_HEADERS_TIMEOUT_MS: int(500, 600_000)
      .default(10_000)
      .describe('Time to send the request headers, in ms.'),
    HTTP_REQUEST_TIMEOUT_MS: int(500, 600_000)
      .default(30_000)
      .describe('Time to send the whole request, in ms.'),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000).default(5_000).describe('Idle keep-alive time, in ms.'),
  }),
  create: (options) => ({
    server: (server) =>
      applyServerTimeouts(server, {
        headersTimeoutMs: options.HTTP_HEADERS_TIMEOUT_MS,
        requestTimeoutMs: options.HTTP_REQUEST_TIMEOUT_MS,
        keepAliveTimeoutMs: options.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      }),
  }),
});
