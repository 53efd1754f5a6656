import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsListenerOptions {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token: string | undefined;
}

export interface MetricsListener {
  /** http://host:port of the listener. */
  readonly url: string;
  close(): Promise<void>;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The metrics endpoint on a listener of its own (METRICS_HOST:METRICS_PORT, loopback by default):
 * the public port never serves it, so internal numbers (limits, pool sizes, operation names) are
 * only visible where the operator scrapes from. Only `GET /metrics` answers; with METRICS_TOKEN a
 * scrape needs the bearer token (compared in constant time).
 */
export async function startMetricsListener(
  registry: Registry,
  { host, port, token }: MetricsListenerOptions,
): Promise<MetricsListener> {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
        ...headers,
      });
      res.end(body);
    };
    if (path !== '/metrics') return send(404, 'Not found: the metrics are at /metrics.\n');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, 'Method not allowed.\n', { allow: 'GET, HEAD' });
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected))
      return send(401, 'A bearer token is required (METRICS_TOKEN).\n', { 'www-authenticate': 'Bearer' });
    registry.metrics().then(
      (text) => send(200, text, { 'content-type': registry.contentType }),
      () => send(500, 'The metrics could not be collected.\n'),
    );
  });
  // A scraper is a trusted, slow-moving client: short timeouts keep a stuck one from holding sockets.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
