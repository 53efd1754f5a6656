import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { bearerFailureMayBeIgnored, carriesCredentials } from '../../auth/authenticate.js';
import type { Viewer } from '../../auth/viewer.js';
import { AuthenticationError, ErrorCode, HttpError, retryAfterSeconds } from '../../errors.js';
import { clientKey } from '../client-key.js';
import { z } from 'zod';
import { getRequestState, requestIdentity } from '../../http/request-state.js';
import type { LimiterFactory } from '../../store/limiters.js';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';
import { requestProfile, type Profile, type Profiles } from '../profiles.js';
import type { CountingLimiter } from '../../store/leased-limiter.js';
import type { Logger } from 'pino';
import { identityFields, securityEvent } from '../../audit/audit.js';

export interface HttpRateLimitOptions {
  limiters: LimiterFactory;
  /** Requests per window per client (HTTP_RATE_LIMIT). */
  limit: number;
  /** Window length in seconds (HTTP_RATE_WINDOW_SECONDS). */
  windowSeconds: number;
  /** The request's client network (ProtectionContext.clientNetwork). */
  clientNetwork: (req: Request) => string;
  /** Who is asking, from the headers, once per request (ProtectionContext.identify). */
  identify: (req: Request) => Promise<Viewer>;
  /** The client profiles: each sets its own limit (`httpRate`), or only measures it. */
  profiles: Profiles;
  log: Logger;
}

export interface HttpRateLimit {
  /** Identifies the caller and charges one request; mounted before body parsing and GraphQL. */
  middleware: RequestHandler;
}

/** Bad credentials sent from one network (a bucket of their own, beside `net:` and `account:`). */
const failureKey = (network: string) => `authfail:${network}`;

/**
 * The per-client request limit at the HTTP layer, before the body is read and before any GraphQL
 * parsing, charged to whoever really asks (client-key.ts):
 * - signed in (access token or any API key of the account): the account, so users behind one
 *   NAT address each have their own limit, and one user's many keys share one;
 * - anonymous: the client network (client-network.ts: IPv4 address or IPv6 /64, as Express
 *   resolves it through TRUST_PROXY, so a forged X-Forwarded-For is ignored unless a trusted
 *   proxy set it);
 * - bad credentials: a per-network bucket of failures (`authfail:`), 401 until it is spent,
 *   then 429. Once it is spent, requests with credentials from that network are refused before
 *   any token is verified or key looked up, so a flood of made-up credentials costs one counter
 *   read each; anonymous requests and other networks are not affected. A POST whose bearer is
 *   refused goes on, charged to that bucket, until authentication has read its operation: a
 *   refreshSession or logout ignores a stale bearer (auth/authenticate.ts), anything else is 401.
 * Credentials are headers, so identifying the caller here needs no body; the viewer is kept in
 * the request state and authentication does not run twice. Store: Redis shared by every
 * instance, with the in-memory insurance during an outage (store/limiters.ts).
 *
 * Every response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (seconds, IETF draft) of the bucket charged; over the limit: 429 RATE_LIMITED with
 * `Retry-After` and `extensions.retryAfter`, logged as a `limit_hit` security event by the HTTP
 * error handler.
 */
export function createHttpRateLimit(options: HttpRateLimitOptions): HttpRateLimit {
  const { limit, windowSeconds, clientNetwork, identify, profiles, log } = options;
  // Leased (store/leased-limiter.ts): counted in memory on allowances leased from Redis, never
  // over the limit across instances; the bad-credentials check reads the store once a second.
  const limiter = options.limiters.createLeased({ name: 'rl:http', points: limit, duration: windowSeconds });
  // A profile with a limit of its own counts on a limiter of that many points (keys apart, so
  // two limits never share a count); the environment's limit keeps the original keys.
  const byLimit = new Map<number, CountingLimiter>([[limit, limiter]]);
  const limiterOf = (points: number): CountingLimiter => {
    let found = byLimit.get(points);
    if (!found) {
      found = options.limiters.createLeased({ name: `rl:http:${points}`, points, duration: windowSeconds });
      byLimit.set(points, found);
    }
    return found;
  };

  const setHeaders = (res: Response, state: RateLimiterRes, limit: number) => {
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limit - state.consumedPoints)));
    res.setHeader('RateLimit-Reset', String(Math.max(0, Math.ceil(state.msBeforeNext / 1000))));
  };

  const refuse = (res: Response, state: RateLimiterRes, limit: number): HttpError => {
    setHeaders(res, state, limit);
    const retryAfter = retryAfterSeconds(state.msBeforeNext);
    // The HTTP error handler writes the `limit_hit` security event for this 429 (one line).
    return new HttpError(
      429,
      ErrorCode.RATE_LIMITED,
      'Too many requests, please try again later.',
      { retryAfter },
      { 'Retry-After': String(retryAfter) },
    );
  };

  const charge = async (
    key: string,
    req: Request,
    res: Response,
    points: number,
    profile?: Profile,
  ): Promise<void> => {
    const own = profile?.limits.httpRate ?? limit;
    // Measure mode counts against the ceiling (the highest limit of the environment and every
    // profile), which it still enforces, and logs what the profile's own limit would refuse.
    const measuring = profile?.measure.has('clientLimit') ?? false;
    const max = measuring ? Math.max(limit, profiles.current().ceiling.httpRate) : own;
    let state: RateLimiterRes;
    try {
      state = await limiterOf(max).consume(key, points);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw refuse(res, error, max);
    }
    setHeaders(res, state, max);
    if (measuring && state.consumedPoints > own) {
      securityEvent(log, 'would_refuse', {
        ...identityFields(requestIdentity(req)),
        protection: 'clientLimit',
        code: ErrorCode.RATE_LIMITED,
        limit: own,
        observed: state.consumedPoints,
      });
    }
  };

  /**
   * The viewer, or undefined for a request already charged to its network's failure bucket whose
   * refused bearer may yet be ignored (a refreshSession or logout: auth/authenticate.ts decides
   * once the body is read, and answers 401 for any other operation).
   */
  const identifyCharged = async (
    req: Request,
    res: Response,
    network: string,
  ): Promise<Viewer | undefined> => {
    if (carriesCredentials(req)) {
      const failures = await limiter.get(failureKey(network));
      if (failures && failures.consumedPoints >= limit) throw refuse(res, failures, limit);
    }
    try {
      return await identify(req);
    } catch (error) {
      // A 401 still, unless this failure spends the network's failure bucket (then 429).
      if (!(error instanceof AuthenticationError)) throw error;
      await charge(failureKey(network), req, res, 1);
      if (bearerFailureMayBeIgnored(req)) return undefined;
      throw error;
    }
  };

  return {
    middleware: (req: Request, res: Response, next: NextFunction) => {
      const network = clientNetwork(req);
      identifyCharged(req, res, network)
        .then((viewer) => {
          const key = viewer ? clientKey(viewer, network) : failureKey(network);
          // The failure bucket is the environment's; a known caller's limit is its profile's.
          const profile = viewer ? requestProfile(req, profiles, viewer) : undefined;
          // Later steps (the batch limit) charge extra operations to the same client through this.
          getRequestState(req).chargeClient = (points) => charge(key, req, res, points, profile);
          // A request with a refused bearer has paid its point to the failure bucket already.
          return viewer ? charge(key, req, res, 1, profile) : undefined;
        })
        .then(() => next(), next);
    },
  };
}

export const clientLimitProtection = defineProtection({
  name: 'clientLimit',
  phase: 'http',
  summary:
    'Requests per window per account (its tokens and API keys together) or, anonymous, per client network (IPv4 address or IPv6 /64), counted before the body is read; bad credentials spend a per-network bucket of their own: 429 + Retry-After, RateLimit-* headers.',
  env: z.object({
    HTTP_RATE_LIMIT: int(1, 1_000_000)
      .default(600)
      .describe('Requests per window per account, or per client network when anonymous.'),
    HTTP_RATE_WINDOW_SECONDS: int(1, 86_400).default(60).describe('Length of that window, in seconds.'),
  }),
  create: (options, { limiters, clientNetwork, identify, profiles, log }) => ({
    graphqlRequest: [
      createHttpRateLimit({
        limiters,
        limit: options.HTTP_RATE_LIMIT,
        windowSeconds: options.HTTP_RATE_WINDOW_SECONDS,
        clientNetwork,
        identify,
        profiles,
        log,
      }).middleware,
    ],
  }),
});
