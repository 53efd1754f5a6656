#!/usr/bin/env node
// A tiny static server for the browser example: `node examples/browser/serve.mjs [--port 3000] [--host 127.0.0.1]`.
// It serves index.html, app.js and the examples' trusted-documents.json and nothing else. Port 3000
// because the API's development default is CORS_ORIGINS=http://localhost:3000; open the page as
// http://localhost:3000, not 127.0.0.1 (a different site for cookies: see docs/browser.md).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    // Loopback by default, like the API: a development page has no business on the network.
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
// An allowlist read once at start: no path from the URL ever reaches the file system.
const FILES = new Map([
  ['/', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/index.html', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/app.js', { file: 'app.js', type: 'text/javascript; charset=utf-8' }],
  // The examples' trusted-documents manifest (npm run codegen builds it): the page sends its ids.
  ['/trusted-documents.json', { file: '../trusted-documents.json', type: 'application/json; charset=utf-8' }],
]);
const bodies = new Map([...FILES].map(([path, { file }]) => [path, readFileSync(join(here, file))]));

const HEADERS = {
  // Scripts from this origin only (no inline script, so an injected one cannot run); fetch may
  // reach any http(s) API, since `?api=` chooses it.
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; connect-src http: https:; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Edits show up on reload: this is for development.
  'Cache-Control': 'no-store',
};

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const entry = FILES.get(path);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Method not allowed\n');
    return;
  }
  if (!entry) {
    res.writeHead(404, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found\n');
    return;
  }
  const body = bodies.get(path);
  res.writeHead(200, { ...HEADERS, 'Content-Type': entry.type, 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
});

server.on('error', (error) => {
  console.error(`cannot listen on ${values.host}:${port}: ${error.message}`);
  process.exit(1);
});

server.listen(port, values.host, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  // The first line is what the example's test reads to learn the port (with --port 0).
  console.log(`Browser example on http://localhost:${actual}/ (serving ${here})`);
  console.log(
    `API: http://localhost:4000/graphql by default; another one with ?api=, e.g. http://localhost:${actual}/?api=http://localhost:4000/graphql`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    // A browser keeps connections open: end them, or close() would wait for it.
    server.closeAllConnections();
  });
}
