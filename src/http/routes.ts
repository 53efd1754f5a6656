import express, { type Router } from 'express';
import type { Redis } from 'ioredis';
import type { TokenService } from '../auth/tokens.js';
import type { Db } from '../db/client.js';

export interface OperationalRoutesDeps {
  db: Db;
  redis: Redis | undefined;
  tokens: TokenService;
}

/** Routes beside /graphql: liveness, readiness and the public verification keys. */
export function createOperationalRoutes({ db, redis, tokens }: OperationalRoutesDeps): Router {
  const router = express.Router();
  // Public verification keys (asymmetric JWT_ALG only): other services can verify our tokens.
  // In HS256 mode there is nothing public to publish, so the route answers 404.
  router.get('/.well-known/jwks.json', (_req, res, next) => {
    if (tokens.alg === 'HS256') return next();
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(tokens.jwks());
  });
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const up = (check: Promise<unknown>) =>
      check.then(
        () => 'ok' as const,
        () => 'down' as const,
      );
    const checks: Record<string, 'ok' | 'down'> = { database: await up(db.ping()) };
    if (redis) checks.redis = await up(redis.ping());
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  return router;
}
