import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createApiKeyUsageBuffer } from './auth/api-key-usage.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createLoginThrottle } from './auth/login-throttle.js';
import { createDevelopmentMailer, type Mailer } from './auth/mailer.js';
import { createOidcVerifier } from './auth/oidc-verifier.js';
import { createTokenService, type TokenService } from './auth/tokens.js';
import { describeViewer, type Viewer } from './auth/viewer.js';
import type { Config } from './config.js';
import type { GraphQLContext } from './context.js';
import type { Db } from './db/client.js';
import { getRequestState } from './http/request-state.js';
import { createLoaders, createRepositories, createServices } from './modules/index.js';
import { requestNetwork } from './security/client-network.js';
import { createSessionStore } from './store/create-session-store.js';
import type { LimiterFactory } from './store/limiters.js';

export interface DomainDeps {
  config: Config;
  db: Db;
  redis: Redis | undefined;
  /** The app's one limiter factory (the same store and failover reporting as the protections). */
  limiters: LimiterFactory;
  log: Logger;
  /** Delivers password-reset links; defaults to the development mailer (logs, sends nothing). */
  mailer?: Mailer | undefined;
  /** The refresh-session clock (ms since the epoch). Default: Date.now. */
  now?: (() => number) | undefined;
}

export interface Domain {
  tokens: TokenService;
  /**
   * Who is asking, from the request's headers, once per request (kept in the request state):
   * the client limit asks first, before the body is read; bad credentials throw (401).
   */
  identify(req: Request): Promise<Viewer>;
  /** Express middleware: identify() for a request no earlier step identified (bad credentials: 401). */
  authenticate: RequestHandler;
  /** Apollo's context function: the request identity, loaders and services. */
  context(args: { req: Request; res: Response }): Promise<GraphQLContext>;
  /** Flushes buffered writes (API-key usage marks). */
  stop(): Promise<void>;
}

/** The identity mechanisms and the domain modules, wired to the data stores. */
export async function createDomain({
  config,
  db,
  redis,
  limiters,
  log,
  mailer,
  now,
}: DomainDeps): Promise<Domain> {
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
    sessions: createSessionStore({
      redis,
      prefix: config.redisPrefix,
      absoluteSeconds: config.identity.refreshAbsoluteSeconds,
      now,
    }),
    throttle: createLoginThrottle({ limiters, ipMaxFailures: config.identity.loginIpMaxFailures }),
    mailer: mailer ?? createDevelopmentMailer(log, config.nodeEnv === 'development'),
    resetUrl: config.identity.passwordResetUrl,
  });

  const identify = async (req: Request): Promise<Viewer> => {
    const state = getRequestState(req);
    state.viewer ??= await authenticator.authenticate(req);
    return state.viewer;
  };

  return {
    tokens,
    identify,
    authenticate: (req: Request, _res: Response, next: NextFunction) => {
      identify(req).then(() => next(), next);
    },
    async context({ req, res }) {
      const state = getRequestState(req);
      const viewer = state.viewer ?? { kind: 'anonymous' };
      // The request's child logger is built on first use: most requests log nothing, and a pino
      // child (with redaction) is not free.
      let requestLog: Logger | undefined;
      return {
        requestId: state.requestId,
        ip: req.ip ?? 'unknown',
        network: requestNetwork(req, config.clientIpv6Prefix),
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
    stop: () => apiKeyUsage.stop(),
  };
}
