import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createApiKeyUsageBuffer } from './auth/api-key-usage.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createLoginThrottle } from './auth/login-throttle.js';
import { createDevelopmentMailer, type Mailer } from './auth/mailer.js';
import { createOidcVerifier } from './auth/oidc-verifier.js';
import { hashPassword } from './auth/passwords.js';
import { createTokenService } from './auth/tokens.js';
import { describeViewer } from './auth/viewer.js';
import type { Config } from './config.js';
import type { GraphQLContext } from './context.js';
import { createDb, type Db } from './db/client.js';
import { migrate } from './db/migrate.js';
import { seedDemoData } from './db/seed.js';
import { allowMethods } from './http/allow-methods.js';
import { createServer } from './http/create-server.js';
import { createHttpErrorHandler } from './http/error-handler.js';
import { createNotFoundHandler } from './http/not-found.js';
import { createRequestId } from './http/request-id.js';
import { getRequestState } from './http/request-state.js';
import { createLogger } from './logger.js';
import { createLoaders, createRepositories, createServices } from './modules/index.js';
import { createAuthzAuditPlugin } from './policy/audit-plugin.js';
import { buildSchema, loadTypeDefs } from './schema.js';
import { assertTypeDefsAnnotated } from './security/assert-annotated.js';
import { createCors } from './security/cors.js';
import { createHttpHeaders } from './security/http-headers.js';
import { createHttpsGuard } from './security/https.js';
import { createMaskedErrors } from './security/masked-errors.js';
import { createSecurityLogPlugin } from './security/security-log.js';
import { createBatchLimit } from './security/batch-limit.js';
import { createCostBudgetPlugin } from './security/cost-budget.js';
import { createDocumentLimits } from './security/document-limits.js';
import { applyServerTimeouts, createExecutionTimeout } from './security/execution-timeout.js';
import { createHttpRateLimit } from './security/http-rate-limit.js';
import { createLimiterFactory } from './security/limiter-factory.js';
import { createRateLimitTransform } from './security/rate-limit.js';
import { createRedis, waitForRedis } from './store/redis.js';
import { createSessionStore } from './store/session-store.js';

export interface AppDeps {
  config: Config;
  /** Defaults to a logger at config.logLevel on stdout. */
  log?: Logger;
  /** Defaults to the database the config names (pg or PGlite); the app closes what it opened. */
  db?: Db;
  /** Replaces schema/*.graphql (tests: an unannotated field must stop start-up). */
  typeDefs?: string[];
  /** Delivers password-reset links; defaults to the development mailer (logs, sends nothing). */
  mailer?: Mailer;
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

/** Validation errors reported per document before graphql-js aborts validation. */
export const MAX_VALIDATION_ERRORS = 10;

export async function createApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const log = deps.log ?? createLogger(config.logLevel);
  // Secure by default: every root field has @auth or @public, checked before anything is opened,
  // so an unprotected field stops start-up without leaving a database or socket behind.
  const typeDefs = deps.typeDefs ?? loadTypeDefs();
  assertTypeDefsAnnotated(typeDefs);

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
  if (config.seedDemoData && (await seedDemoData(db, { hashPassword })))
    log.info('seeded demo data (development only)');

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
  // The auth mechanisms reach users and keys through ports the identity module's repository implements.
  const { credentials: userDirectory, apiKeys: apiKeyDirectory } = repos.identity;
  const apiKeyUsage = createApiKeyUsageBuffer(apiKeyDirectory, config.identity.apiKeyUsageFlushMs, (e) =>
    log.error({ err: e }, 'api key usage flush failed'),
  );
  // Bearer tokens of an external OIDC issuer (when configured) are tried before our own.
  const external = config.oidc ? createOidcVerifier({ ...config.oidc, users: userDirectory }) : undefined;
  const authenticator = createAuthenticator({
    users: userDirectory,
    apiKeys: apiKeyDirectory,
    tokens,
    apiKeyUsage,
    external,
  });
  // Refresh sessions and login-failure counters live in Redis when configured (shared by every
  // instance), in memory otherwise.
  const services = createServices(repos, {
    tokens,
    sessions: createSessionStore({ redis, prefix: config.redisPrefix }),
    throttle: createLoginThrottle({
      redis,
      prefix: config.redisPrefix,
      ipMaxFailures: config.identity.loginIpMaxFailures,
    }),
    mailer: deps.mailer ?? createDevelopmentMailer(log, config.nodeEnv === 'development'),
    resetUrl: config.identity.passwordResetUrl,
  });

  // ── Abuse limits (security/*): one store for every limiter, Redis-shared when configured ──
  const limits = config.limits;
  const limiters = createLimiterFactory({ redis, prefix: config.redisPrefix, log });
  const documentLimits = createDocumentLimits({ ...limits, production: config.isProduction });
  const executionTimeout = createExecutionTimeout({ timeoutMs: limits.executionTimeoutMs, log });
  const httpRateLimit = createHttpRateLimit({
    limiters,
    limit: limits.httpRateLimit,
    windowSeconds: limits.httpRateWindowSeconds,
  });

  // ── GraphQL ─────────────────────────────────────────────────────────────────────────────
  // Resolver wrappers, innermost first: execution deadline, then @rateLimit; @auth wraps both
  // (buildSchema applies it last) so a refused viewer spends no rate-limit points.
  const schema = buildSchema({
    typeDefs,
    transforms: [executionTimeout.transform, createRateLimitTransform({ limiters })],
  });
  const app = express();
  // Native TLS when TLS_CERT/TLS_KEY are set; otherwise plain HTTP behind a TLS-terminating proxy.
  const httpServer = createServer(app, config.tls);
  applyServerTimeouts(httpServer, {
    headersTimeoutMs: limits.httpHeadersTimeoutMs,
    requestTimeoutMs: limits.httpRequestTimeoutMs,
    keepAliveTimeoutMs: limits.httpKeepAliveTimeoutMs,
  });
  const maskedErrors = createMaskedErrors({ log, production: config.isProduction });

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    csrfPrevention: true,
    // main.ts owns signal handling (drain, then close pools); Apollo must not race it.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: config.limits.maxBatchSize > 0,
    // Document limits: tokens at parse time, then size and depth rules beside the spec rules.
    parseOptions: documentLimits.parseOptions,
    validationRules: documentLimits.validationRules,
    // graphql-js stops validating after this many errors (its default is 100). A hostile document
    // (a directive flood also breaks the spec's unique-directive rule once per repeat) would
    // otherwise cost a hundred error objects to build, format and send; ten help any honest client.
    validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
    formatError: maskedErrors.formatError,
    plugins: [
      // Apollo installs its cache-control plugin by default; it instruments every field to
      // compute HTTP cache hints. Nothing here is publicly cacheable (responses depend on the
      // viewer and carry a cost report), so it is off: no per-field hook on any request.
      ApolloServerPluginCacheControlDisabled(),
      createAuthzAuditPlugin(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5000 }),
      config.isProduction
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true }),
      // Internal errors carry the request id, and the real error is logged under it.
      maskedErrors.plugin,
      // Every refused GraphQL request leaves a securityEvent line (auth, input, limits).
      createSecurityLogPlugin({ log }),
      // Cost per operation (400 over MAX_COST), the hourly cost budget (429), extensions.cost.
      createCostBudgetPlugin({
        limiters,
        maxCost: limits.maxCost,
        budgetPerHour: limits.costBudgetPerHour,
        production: config.isProduction,
      }),
      executionTimeout.plugin,
      documentLimits.plugin,
    ],
  });
  await apollo.start();

  // ── HTTP pipeline, in order ─────────────────────────────────────────────────────────────
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  // 1. request id: first, so every later log line and error can name the request.
  //    A client's X-Request-Id is reused only behind a trusted proxy (see http/request-id.ts).
  app.use(createRequestId({ trustIncoming: config.trustProxy !== false }));

  // 2. security headers: helmet + the strict API CSP; the development Sandbox page gets its own.
  app.use(createHttpHeaders({ landingPage: !config.isProduction }));

  // 2b. CORS: exact allowlist (CORS_ORIGINS); preflights are answered here.
  app.use(createCors({ origins: config.corsOrigins }));

  // 2c. HTTPS guard (production): plain HTTP is refused unless a trusted proxy says https.
  //     /healthz and /readyz stay reachable for load-balancer probes.
  app.use(createHttpsGuard({ enabled: config.isProduction }));

  // Public verification keys (asymmetric JWT_ALG only): other services can verify our tokens.
  // In HS256 mode there is nothing public to publish, so the route answers 404.
  app.get('/.well-known/jwks.json', (_req, res, next) => {
    if (tokens.alg === 'HS256') return next();
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(tokens.jwks());
  });

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

  // 3. only GET (queries, and the development Sandbox) and POST reach GraphQL: 405 otherwise.
  app.use('/graphql', allowMethods(['GET', 'POST']));

  // 3a. per-client request limit (RateLimit-* headers, 429 + Retry-After): before the body is
  //     read, credentials are checked or anything is parsed.
  app.use('/graphql', httpRateLimit.middleware);

  // 3b. body parsing with a hard size limit (before any GraphQL work).
  app.use('/graphql', express.json({ limit: config.limits.maxBodyBytes }));
  // Cookies are read on /graphql only, where refreshSession and logout need the refresh cookie.
  app.use('/graphql', cookieParser());
  // 3c. batched requests (JSON arrays): refused when MAX_BATCH_SIZE is 0 (always in production),
  //     else capped, and every extra operation is charged to the per-client limit.
  app.use(
    '/graphql',
    createBatchLimit({ maxBatchSize: limits.maxBatchSize, httpRateLimit, production: config.isProduction }),
  );

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
        // The request's child logger is built on first use: most requests log nothing, and a
        // pino child (with redaction) is not free.
        let requestLog: Logger | undefined;
        return {
          requestId: state.requestId,
          ip: req.ip ?? 'unknown',
          viewer,
          loaders: createLoaders(repos),
          services,
          get log(): Logger {
            requestLog ??= log.child({ requestId: state.requestId, viewer: describeViewer(viewer) });
            return requestLog;
          },
          req,
          res,
        };
      },
    }),
  );

  // 6. unknown routes: a coded JSON 404, never Express's HTML page.
  app.use(createNotFoundHandler());

  // 7. errors outside GraphQL (bad credentials, HTTPS guard, bad JSON, oversized bodies, bugs):
  //    coded JSON, no stack, no library message; unexpected ones logged with the request id.
  app.use(createHttpErrorHandler({ log }));

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
          resolve(`${config.tls ? 'https' : 'http'}://${config.host}:${port}`);
        });
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // apollo.stop() runs the drain plugin: stop accepting, let in-flight requests finish
      // (idle keep-alive sockets are closed at once; busy ones get the grace period).
      const began = Date.now();
      const stage = (name: string) =>
        log.info({ stage: name, ms: Date.now() - began }, 'shutdown stage done');
      httpServer.closeIdleConnections();
      await apollo.stop().catch((e: unknown) => log.warn({ err: e }, 'apollo stop failed'));
      stage('http drained');
      await apiKeyUsage.stop();
      redis?.disconnect();
      if (ownsDb) await db.close();
      stage('pools closed');
    },
  };
}
