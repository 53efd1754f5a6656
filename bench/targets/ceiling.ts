import http from 'node:http';
import { portFromEnv, serveTarget } from './serve.js';

// Target 4: the ceiling for one Node process: node:http answering a fixed JSON body.
const BODY = Buffer.from(JSON.stringify({ data: { __typename: 'Query' } }));

serveTarget(async () => {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': BODY.length,
      });
      res.end(BODY);
    });
  });
  await new Promise<void>((resolve) => server.listen(portFromEnv(), '127.0.0.1', resolve));
  return {
    server,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
