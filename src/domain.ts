import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createApiKeyUsageBuffer } from './auth/api-key-usage.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createLoginThrottle } from './auth/login-throttle.js';
import { createAfterAnswer } from './auth/after-answer.js';
import { createMailQuota, MAIL_PER_ADDRESS, MAIL_WINDOW_SECONDS } from './auth/mail-quota.js';
import { createLogMailer, type Mailer } from './auth/mailer.js';
import { createOidcVerifier } from './auth/oidc-verifier.js';
import type { PasswordHasher } from './auth/passwords.js';
import { createSmtpMailer } from './auth/smtp-mailer.js';
import { createTokenService, type TokenService } from './auth/tokens.js';
import { describeViewer, type Viewer } from './auth/viewer.js';
import type { Config } from './config.js';
import { requestProfile, type Profile, type Profiles } from './security/profiles.js';
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
  log: Logger;
  /** The app's limiter factory (Redis when configured): the mail quota per address counts on it. */
  limiters: LimiterFactory;
  /** The client profiles: each request's context carries its own (security/profiles.ts). */
  profiles: Profiles;
  /**
   * Delivers verification, notice and reset mail. Default: nodemailer on SMTP_URL; without it (never
   * in production) the log mailer (development: the links in the log; sends nothing).
   */
  mailer?: Mailer | undefined;
  /** Password hashing (tests count its calls). Default: argon2id. */
  passwords?: PasswordHasher | undefined;
  /** The clock of refresh sessions and login throttling (ms since the epoch). Default: Date.now. */
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
  /** Resolves when the work queued after the answers sent so far (mail) has finished. */
  idle(): Promise<void>;
  /** Lets work queued after answers (mail) finish, flushes buffered writes (API-key usage marks). */
  stop(): Promise<void>;
}

/** A logger built on first use: most requests log nothing, and a pino child (with redaction) is not free. */
class LazyLogger {
  #log: Logger | undefined;
  constructor(private readonly make: () => Logger) {}
  get(): Logger {
    this.#log ??= this.make();
    return this.#log;
  }
}

/**
 * The GraphQL context of one request. A class, so every context has the same shape, and `log` is a
 * getter on its prototype: Apollo copies a context's own properties for each operation
 * (Object.assign keeps the prototype), so the copy shares the one lazy logger instead of calling
 * an own getter, and building the logger, on every copy.
 */
class RequestContext implements GraphQLContext {
  readonly requestId: string;
  readonly ip: string;
  readonly network: string;
  readonly viewer: Viewer;
  readonly profile: Profile;
  readonly loaders: GraphQLContext['loaders'];
  readonly services: GraphQLContext['services'];
  readonly req: Request;
  readonly res: Response;
  constructor(
    fields: Omit<GraphQLContext, 'log'>,
    private readonly logs: LazyLogger,
  ) {
    this.requestId = fields.requestId;
    this.ip = fields.ip;
    this.network = fields.network;
    this.viewer = fields.viewer;
    this.profile = fields.profile;
    this.loaders = fields.loaders;
    this.services = fields.services;
    this.req = fields.req;
    this.res = fields.res;
  }
  get log(): Logger {
    return this.logs.get();
  }
}

/** The identity mechanisms and the domain modules, wired to the data stores. */
export async function createDomain({
  config,
  db,
  redis,
  log,
  limiters,
  profiles,
  mailer,
  passwords,
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
  const mail =
    mailer ??
    (config.mail.smtpUrl
      ? createSmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from })
      : createLogMailer(log, config.nodeEnv === 'development'));
  const afterAnswer = createAfterAnswer();
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
    throttle: createLoginThrottle({ redis, prefix: config.redisPrefix, now, ...config.identity.login }),
    mailer: mail,
    mailQuota: createMailQuota(
      limiters.create({ name: 'mail:address', points: MAIL_PER_ADDRESS, duration: MAIL_WINDOW_SECONDS }),
    ),
    passwords,
    afterAnswer,
    resetUrl: config.identity.passwordResetUrl,
    verifyUrl: config.identity.emailVerifyUrl,
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
      return new RequestContext(
        {
          requestId: state.requestId,
          ip: req.ip ?? 'unknown',
          network: requestNetwork(req, config.clientIpv6Prefix),
          viewer,
          profile: requestProfile(req, profiles, viewer),
          loaders: createLoaders(repos),
          services,
          req,
          res,
        },
        new LazyLogger(() => log.child({ requestId: state.requestId, viewer: describeViewer(viewer) })),
      );
    },
    idle: () => afterAnswer.idle(),
    async stop() {
      // Called after the HTTP drain: every answer is sent, so every queued mail is known.
      await afterAnswer.idle();
      // Only the transport built here is closed; an injected mailer belongs to its owner.
      if (!mailer) mail.close?.();
      await apiKeyUsage.stop();
    },
  };
}
