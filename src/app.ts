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
import express from 'express';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createAuditPlugin } from './audit/audit-plugin.js';
import { countingSecurityEvents, securityEvent } from './audit/audit.js';
import type { Mailer } from './auth/mailer.js';
import type { PasswordHasher } from './auth/passwords.js';
import type { Config } from './config.js';
import type { GraphQLContext } from './context.js';
import type { Db } from './db/client.js';
import { hashPassword } from './auth/passwords.js';
import { seedDemoData } from './db/seed.js';
import { compose } from './http/compose.js';
import { createServer } from './http/create-server.js';
import { createHttpErrorHandler } from './http/error-handler.js';
import { graphqlEndpoint, withSandboxFallback } from './http/landing-page.js';
import { createNotFoundHandler } from './http/not-found.js';
import { createOperationalRoutes } from './http/routes.js';
import { createDomain } from './domain.js';
import { openDatabase, openRedis } from './infrastructure.js';
import { createLogger } from './logger.js';
import { createMetrics } from './observability/metrics.js';
import { startMetricsListener, type MetricsListener } from './observability/metrics-server.js';
import { createTracing } from './observability/tracing.js';
import { buildSchema, loadTypeDefs } from './schema.js';
import { ANONYMOUS } from './auth/viewer.js';
import { requestNetwork } from './security/client-network.js';
import { createProfiles, requestProfile, type Profiles } from './security/profiles.js';
import { checkTypeDefs, protect } from './security/protect.js';
import { createLimiterFactory } from './store/limiters.js';

export interface AppDeps {
  config: Config;
  /** Defaults to a logger at config.logLevel on stdout. */
  log?: Logger;
  /** Defaults to the database the config names (pg or PGlite); the app closes what it opened. */
  db?: Db;
  /** Replaces schema/*.graphql (tests: an unannotated field must stop start-up). */
  typeDefs?: string[];
  /** Delivers verification, notice and reset mail; defaults to SMTP_URL's transport, else the log. */
  mailer?: Mailer;
  /** Password hashing (tests count its calls); defaults to argon2id. */
  passwords?: PasswordHasher;
  /** The clock of refresh sessions and login throttling (ms since the epoch). Default: Date.now. */
  now?: () => number;
  /** Exports spans here instead of over OTLP, even without OTEL_EXPORTER_OTLP_ENDPOINT (tests). */
  traceExporter?: SpanExporter;
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
  /** The metrics listener's base URL once listening (METRICS_PORT set), else undefined. */
  metricsUrl(): string | undefined;
  /**
   * Reads PROFILES_FILE again (main.ts calls it on SIGHUP): requests in flight keep their profile;
   * a bad file keeps the old profiles, and the reason is logged.
   */
  reloadProfiles(): ReturnType<Profiles['reload']>;
  /** Resolves when the work queued after the answers sent so far (mail) has finished. */
  idle(): Promise<void>;
  /** Graceful shutdown: stop accepting, drain in-flight requests, close pools. */
  stop(): Promise<void>;
}

/** Composition only: each line builds one part; the parts themselves live in their own files. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  // Metrics are off (no-ops) unless METRICS_PORT is set; every security event is also counted.
  const metrics = createMetrics({ enabled: config.metrics !== undefined });
  const log = countingSecurityEvents(deps.log ?? createLogger(config.logLevel), metrics.securityEvent);
  // Tracing is off (no-ops) unless OTEL_EXPORTER_OTLP_ENDPOINT is set or an exporter is given.
  const tracing = createTracing(config.tracing, { exporter: deps.traceExporter });
  const typeDefs = deps.typeDefs ?? loadTypeDefs();
  // Secure by default: the protections' start-up checks (every root field has @auth or @public)
  // run before a database or socket is opened, so a refused schema leaves nothing behind.
  checkTypeDefs(typeDefs);

  // ── 1. Infrastructure ────────────────────────────────────────────────────────────────────
  const db = tracing.traceDb(deps.db ?? (await openDatabase(config)));
  const redis = tracing.traceRedis(await openRedis(config, log));
  // Every limiter of the app (the protections', and the login throttle's counters) on one store;
  // a switch between Redis and the in-memory insurance is a security event.
  const limiters = createLimiterFactory({
    redis,
    prefix: config.redisPrefix,
    onFailover: (event) => {
      metrics.limiterStore(event.store, true);
      securityEvent(log, 'store_failover', { protection: 'limiterStore', ...event });
    },
  });
  metrics.limiterStore(redis?.status === 'ready' ? 'redis' : 'memory', false);
  metrics.watch({ db, redis });

  // ── 2. Identity and the domain modules ──────────────────────────────────────────────────────
  if (config.seedDemoData && (await seedDemoData(db, { hashPassword })))
    log.info('seeded demo data (development only)');
  // The client profiles (PROFILES_FILE): read with the configuration, replaced on SIGHUP (reloadProfiles).
  const profiles = createProfiles(config.profiles.defaults, config.profiles.set);
  const domain = await createDomain({
    config,
    db,
    redis,
    log,
    limiters,
    profiles,
    mailer: deps.mailer,
    passwords: deps.passwords,
    now: deps.now,
  });

  // ── 3. The defence: every protection, in pipeline order (security/protections.ts) ──────────
  const defence = protect(config.protections, {
    production: config.isProduction,
    trustProxy: config.trustProxy,
    clientNetwork: (req) => requestNetwork(req, config.clientIpv6Prefix),
    // The client limit charges a request to its account, so it identifies the caller (headers only).
    identify: domain.identify,
    profiles,
    profileOf: (req) =>
      domain.identify(req).then(
        (viewer) => requestProfile(req, profiles, viewer),
        () => profiles.current().select(ANONYMOUS),
      ),
    log,
    limiters,
  });

  // ── 4. GraphQL ──────────────────────────────────────────────────────────────────────────────
  const app = express();
  // Native TLS when TLS_CERT/TLS_KEY are set; otherwise plain HTTP behind a TLS-terminating proxy.
  const httpServer = createServer(app, config.tls);
  defence.applyToServer(httpServer);
  const { plugins, validationMaxErrors, ...apolloSettings } = defence.apollo;
  const apollo = new ApolloServer<GraphQLContext>({
    schema: buildSchema({ typeDefs, transform: defence.transformSchema }),
    ...apolloSettings,
    ...(validationMaxErrors !== undefined ? { validationOptions: { maxErrors: validationMaxErrors } } : {}),
    // main.ts owns signal handling (drain, then close pools); Apollo must not race it.
    stopOnTerminationSignals: false,
    plugins: [
      // First, so its spans of each phase start before the other plugins' hooks run (src/observability).
      tracing.plugin,
      // Apollo's cache-control plugin instruments every field to compute HTTP cache hints; nothing
      // here is publicly cacheable (answers depend on the viewer and carry a cost report).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5000 }),
      config.isProduction
        ? ApolloServerPluginLandingPageDisabled()
        : // Development: the Sandbox, plus what to do when Apollo's CDN cannot be reached.
          withSandboxFallback(
            ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true }),
            () => graphqlEndpoint(httpServer, config.host, config.tls !== undefined),
          ),
      ...plugins,
      // One security event per refused decision of a GraphQL request (src/audit).
      createAuditPlugin({ log }),
      // Operation names, GraphQL errors and cost for the request metrics (src/observability).
      metrics.plugin,
    ],
  });
  await apollo.start();

  // ── 5. Routes ────────────────────────────────────────────────────────────────────────────────
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // No ETag: every answer is `no-store` and depends on the viewer, so a validator would only
  // cost a hash of each body.
  app.set('etag', false);
  app.use(compose(defence.everyRequest));
  // One router layer for the whole GraphQL path (http/compose.ts): the protections' HTTP steps,
  // then authentication, once per request (the client limit has done it already, before the body
  // was read; this covers a request it did not identify; bad credentials end it with 401), then
  // Apollo. The refresh cookie is parsed by the two operations that read it (auth/refresh-cookie.ts).
  app.use(
    '/graphql',
    compose([
      tracing.middleware,
      metrics.requestTimer,
      ...defence.graphqlRequest,
      domain.authenticate,
      expressMiddleware(apollo, { context: domain.context }),
    ]),
  );
  app.use(createOperationalRoutes({ db, redis, tokens: domain.tokens }));
  // Unknown routes: a coded JSON 404, never Express's HTML page.
  app.use(createNotFoundHandler());
  // Errors outside GraphQL (bad credentials, HTTPS guard, bad JSON, oversized bodies, bugs): coded
  // JSON, no stack, no library message; unexpected ones logged with the request id.
  app.use(
    createHttpErrorHandler({ log, clientNetwork: (req) => requestNetwork(req, config.clientIpv6Prefix) }),
  );

  // ── 6. Listen and shutdown ──────────────────────────────────────────────────────────────────
  let stopped = false;
  let metricsListener: MetricsListener | undefined;
  return {
    config,
    express: app,
    httpServer,
    db,
    redis,
    log,
    async listen() {
      // The metrics listener first: a port it cannot take stops the start before traffic arrives.
      if (config.metrics) metricsListener = await startMetricsListener(metrics.registry, config.metrics);
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          const { port } = httpServer.address() as AddressInfo;
          resolve(`${config.tls ? 'https' : 'http'}://${config.host}:${port}`);
        });
      });
    },
    metricsUrl: () => metricsListener?.url,
    reloadProfiles() {
      const result = profiles.reload();
      if (result.ok) log.info({ profiles: result.profiles }, 'client profiles reloaded');
      else log.error({ reason: result.error }, 'client profiles not reloaded: the old ones stay in force');
      return result;
    },
    idle: () => domain.idle(),
    async stop() {
      if (stopped) return;
      stopped = true;
      // apollo.stop() runs the drain plugin: stop accepting, let in-flight requests finish (idle
      // keep-alive sockets are closed at once; busy ones get the grace period).
      const began = Date.now();
      const stage = (name: string) =>
        log.info({ stage: name, ms: Date.now() - began }, 'shutdown stage done');
      httpServer.closeIdleConnections();
      await apollo.stop().catch((e: unknown) => log.warn({ err: e }, 'apollo stop failed'));
      stage('http drained');
      await domain.stop();
      redis?.disconnect();
      if (!deps.db) await db.close();
      stage('pools closed');
      // Last: a final scrape can still see the shutdown.
      await metricsListener?.close();
      await tracing.shutdown();
    },
  };
}
