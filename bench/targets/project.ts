import { createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { serveTarget } from './serve.js';

// Target 1: this project exactly as production assembles it. The environment comes from the
// parent (bench/lib/env.ts projectEnv): NODE_ENV=production, Redis, PostgreSQL, every protection.
serveTarget(async () => {
  const config = parseConfig(process.env);
  const app = await createApp({ config });
  await app.listen();
  return { server: app.httpServer, stop: () => app.stop() };
});
