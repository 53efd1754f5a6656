import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { RequestListener } from 'node:http';

export interface TlsFiles {
  /** Path to the PEM certificate chain (TLS_CERT). */
  cert: string;
  /** Path to the PEM private key (TLS_KEY). */
  key: string;
}

/**
 * The Node server behind the app: plain HTTP (TLS terminated by a proxy, TRUST_PROXY set), or
 * native TLS when TLS_CERT/TLS_KEY are given. Unreadable files stop start-up with a message naming
 * the variable, never the file's content.
 */
export function createServer(handler: RequestListener, tls?: TlsFiles): http.Server {
  if (!tls) return http.createServer(handler);
  const read = (path: string, name: string): Buffer => {
    try {
      return readFileSync(path);
    } catch {
      throw new Error(`${name}: cannot read the file it names`);
    }
  };
  return https.createServer(
    {
      cert: read(tls.cert, 'TLS_CERT'),
      key: read(tls.key, 'TLS_KEY'),
      // No TLS 1.0/1.1: both are deprecated (RFC 8996).
      minVersion: 'TLSv1.2',
    },
    handler,
  );
}
