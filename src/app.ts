import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createApiKeyUsageBuffer } from './auth/api-key-usage.js';
import { createAuthService } from './auth/auth.service.js';
import { AuthenticationError, createAuthenticator } from './auth/authenticate.js';
import { createTokenService } from './auth/tokens.js';
import { describeViewer } from './auth/viewer.js';
import type { Config } from './config.js';
import type { GraphQLContext } from './context.js';
import { createDb, type Db } from './db/client.js';
import { migrate } from './db/migrate.js';
import { seedDemoData } from './db/seed.js';
import { HttpError } from './errors.js';
import { getRequestState, setRequestState } from './http/request-state.js';
import { createLoaders } from './loaders.js';
import { createLogger, securityEvent } from './logger.js';
import { createRepositories } from './repositories.js';
import { buildSchema } from './schema.js';
import { createErrorMasker } from './security/masked-errors.js';
import { createServices } from './services.js';
import { createRedis, waitForRedis } from './store/redis.js';

export interface AppDeps {
  config: Config;
  /** Defaults to a logger at config.logLevel on stdout. */
  log?: Logger;
  /** Defaults to the database the config names (pg or PGlite); the app closes what it opened. */
  db?: Db;
}

export interface App {
  readonly config: Config;
  readonly express: express.Express;
  readonly httpServer: http.Server;
  readonly db: Db;
  readonly redis: Redis | undefined;
  readonly log: Logger;
  /** Listens on config.host:config.port (0 = any free port); resolves to the base URL. */
  listen(): Promise<string>;
  /** Graceful shutdown: stop accepting, drain in-flight requests, close pools. */
  stop(): Promise<void>;
}

// The request id comes from the caller only when it is a sane token (a trusted proxy's id);
// anything else is replaced, so ids in logs can be trusted and never carry injected text.
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export async function createApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const log = deps.log ?? createLogger(config.logLevel);

  // ── Data ────────────────────────────────────────────────────────────────────────────────
  const ownsDb = !deps.db;
  const db =
    deps.db ??
    (await createDb({
      databaseUrl: config.databaseUrl,
      schema: config.databaseSchema,
      dataDir: config.dataDir,
    }));
  await migrate(db);
  if (config.seedDemoData && (await seedDemoData(db))) log.info('seeded demo data (development only)');

  let redis: Redis | undefined;
  if (config.redisUrl) {
    redis = createRedis({
      url: config.redisUrl,
      onError: (e) => log.warn({ err: e.message }, 'redis error'),
    });
    await waitForRedis(redis).catch((e: unknown) =>
      log.warn({ err: e instanceof Error ? e.message : String(e) }, 'redis not ready at start; continuing'),
    );
  }

  const repos = createRepositories(db);
  const tokens = await createTokenService(config);
  const apiKeyUsage = createApiKeyUsageBuffer(repos.apiKeys, 10_000, (e) =>
    log.error({ err: e }, 'api key usage flush failed'),
  );
  const authenticator = createAuthenticator({ repos, tokens, apiKeyUsage });
  const services = createServices(repos, createAuthService({ repos, tokens }));

  // ── GraphQL ─────────────────────────────────────────────────────────────────────────────
  const schema = buildSchema();
  const app = express();
  const httpServer = http.createServer(app);
  const maskError = createErrorMasker({ log, production: config.isProduction });

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    csrfPrevention: true,
    allowBatchedHttpRequests: config.limits.maxBatchSize > 0,
    formatError: (formatted, error) => maskError(formatted, error),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      config.isProduction
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true }),
      {
        // Internal errors carry the request id so a client report can be matched to the log.
        async requestDidStart({ contextValue }) {
          return {
            async willSendResponse({ response }) {
              if (response.body.kind !== 'single') return;
              for (const e of response.body.singleResult.errors ?? []) {
                if (e.extensions?.code === 'INTERNAL_SERVER_ERROR') {
                  (e.extensions as Record<string, unknown>).requestId = contextValue.requestId;
                }
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  // ── HTTP pipeline, in order ─────────────────────────────────────────────────────────────
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  // 1. request id: first, so every later log line and error can name the request.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    setRequestState(req, { requestId });
    res.setHeader('X-Request-Id', requestId);
    next();
  });

  // 2. security headers.
  app.use(helmet({ contentSecurityPolicy: false }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, 'ok' | 'down'> = {};
    checks.database = await db.ping().then(
      () => 'ok' as const,
      () => 'down' as const,
    );
    if (redis) {
      checks.redis = await redis.ping().then(
        () => 'ok' as const,
        () => 'down' as const,
      );
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });

  // 3. body parsing with a hard size limit (before any GraphQL work).
  app.use('/graphql', express.json({ limit: config.limits.maxBodyBytes }));

  // 4. authentication, once per request: bad credentials end the request with 401 here.
  app.use('/graphql', async (req: Request, _res: Response, next: NextFunction) => {
    try {
      getRequestState(req).viewer = await authenticator.authenticate(req);
      next();
    } catch (error) {
      next(error);
    }
  });

  // 5. GraphQL.
  app.use(
    '/graphql',
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GraphQLContext> => {
        const state = getRequestState(req);
        const viewer = state.viewer ?? { kind: 'anonymous' };
        return {
          requestId: state.requestId,
          ip: req.ip ?? 'unknown',
          viewer,
          loaders: createLoaders(repos),
          services,
          log: log.child({ requestId: state.requestId, viewer: describeViewer(viewer) }),
          req,
          res,
        };
      },
    }),
  );

  // 6. errors outside GraphQL (bad credentials, bad JSON, oversized bodies): coded JSON, no stack.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = getRequestState(req).requestId;
    if (error instanceof HttpError) {
      if (error instanceof AuthenticationError) {
        securityEvent(log, 'auth_failure', {
          requestId,
          ip: req.ip,
          viewer: 'anonymous',
          reason: error.reason,
        });
      }
      for (const [k, v] of Object.entries(error.headers)) res.setHeader(k, v);
      res.status(error.status).json({
        errors: [{ message: error.message, extensions: { ...error.extensions, code: error.code } }],
      });
      return;
    }
    const status =
      typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
    if (status === 413) {
      res
        .status(413)
        .json({ errors: [{ message: 'Request body too large.', extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    if (status === 400) {
      res
        .status(400)
        .json({ errors: [{ message: 'Malformed request body.', extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    log.error({ requestId, err: error }, 'unhandled HTTP error');
    res.status(500).json({
      errors: [
        { message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } },
      ],
    });
  });

  let stopped = false;
  return {
    config,
    express: app,
    httpServer,
    db,
    redis,
    log,
    listen() {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          const { port } = httpServer.address() as AddressInfo;
          resolve(`http://${config.host}:${port}`);
        });
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // apollo.stop() runs the drain plugin: stop accepting, let in-flight requests finish.
      if (httpServer.listening) await apollo.stop();
      else await apollo.stop().catch(() => undefined);
      await apiKeyUsage.stop();
      redis?.disconnect();
      if (ownsDb) await db.close();
    },
  };
}
