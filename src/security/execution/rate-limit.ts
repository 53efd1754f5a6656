import type { GraphQLSchema } from 'graphql';
import { rateLimitDirective, type RateLimitArgs } from 'graphql-rate-limit-directive';
import { RateLimiterRes, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RequestIdentity } from '../../request.js';
import { ErrorCode, rateLimited, retryAfterSeconds } from '../../errors.js';
import { wouldRefuse } from '../measure.js';
import { attributeTo } from '../../audit/marks.js';
import { RateLimitPer } from '../../generated/schema-types.js';
import { clientKey, networkKey } from '../client-key.js';
import type { LimiterFactory } from '../../store/limiters.js';
import { z } from 'zod';
import { defineProtection } from '../protection.js';
import { assertTypeDefsRateLimitKeying } from './rate-limit-keying.js';

export interface RateLimitOptions {
  limiters: LimiterFactory;
}

/**
 * The `@rateLimit(limit, duration)` directive of the SDL, on graphql-rate-limit-directive and
 * rate-limiter-flexible (Redis with in-memory insurance, or memory alone; see store/limiters.ts).
 *
 * Keys: the library's default key is the field coordinate alone, one bucket shared by every
 * client, so one abuser would lock everybody out. Ours is caller + coordinate, the caller as the
 * directive's `per` says:
 * - VIEWER (the default): the account (`account:<userId>:Mutation.addReview`), whichever of its
 *   tokens or API keys is used, so N keys do not make N budgets; anonymous, the client network
 *   (`net:<network>:…`, security/client-network.ts);
 * - NETWORK: the client network always, whatever credentials the request carries. For operations
 *   called before signing in (register, login, password reset, refresh): a bearer token or API
 *   key sent along must not buy a fresh bucket (accounts are cheap to make). Start-up refuses a
 *   @public Mutation field with @rateLimit that does not say which (rate-limit-keying.ts).
 *
 * Charging (docs/protections.md explains it): the directive wraps the field's resolver, so every
 * *resolution* of the field consumes one point. Consequences:
 * - aliases: `a1: login(…) a2: login(…) …` resolves login once per alias, so 50 aliases are
 *   50 attempts; the 11th over a limit of 10 gets RATE_LIMITED (and, login being non-null on
 *   Mutation, ends the operation);
 * - batching: every operation of a batch runs its own resolvers, so each is charged;
 * - lists: a limited field selected inside a list is resolved once per list item and is
 *   charged once per item; when the budget runs out half-way, the remaining items get
 *   RATE_LIMITED errors at their paths. A list therefore spends the budget faster, never
 *   multiplies it; and the cost analysis already bounds how many items one operation may ask for.
 *
 * @auth is applied after this transform, so it wraps it and runs first: a viewer refused by
 * @auth spends no points and cannot drain the budget of a field they may not call.
 *
 * Over the limit the client gets a coded field error (HTTP 200, as docs/api.md states for fields):
 * RATE_LIMITED with `extensions.retryAfter` in seconds. The library's default error has no code.
 */
/** The caller a call is charged to, by the directive's `per` (absent: VIEWER). */
function rateLimitKey(args: RateLimitArgs & { per?: RateLimitPer | null }, context: RequestIdentity): string {
  return args.per === RateLimitPer.NETWORK
    ? networkKey(context.network)
    : clientKey(context.viewer, context.network);
}

export function createRateLimitTransform({
  limiters,
}: RateLimitOptions): (schema: GraphQLSchema) => GraphQLSchema {
  const { rateLimitDirectiveTransformer } = rateLimitDirective<RequestIdentity>({
    name: 'rateLimit',
    limiterClass: profileLimiterClass(limiters.limiterClass),
    limiterOptions: { keyPrefix: limiters.keyPrefix('rl:field') },
    keyGenerator: (args: RateLimitArgs, _source, _fieldArgs, context, info) => {
      const coordinate = `${info.parentType.name}.${info.fieldName}`;
      // The request's profile decides the limit (an override, or the SDL's times its
      // multiplier) and whether it is only measured; the limiter reads both from the key.
      const { profile } = context;
      const limit =
        profile.rateLimit.fields.get(coordinate) ??
        Math.max(1, Math.round(args.limit * profile.rateLimit.multiplier));
      const mode = profile.measure.has('rateLimit') ? MEASURE : ENFORCE;
      return `${limit}${SEPARATOR}${mode}${SEPARATOR}${rateLimitKey(args, context)}:${coordinate}`;
    },
    // Called with every answer of the limiter; one it let through in measure mode is logged.
    setState: (response: RateLimiterRes, _args, _source, _fieldArgs, context, info) => {
      const facts = measuredRefusals.get(response);
      if (facts)
        wouldRefuse(context, 'rateLimit', ErrorCode.RATE_LIMITED, {
          field: `${info.parentType.name}.${info.fieldName}`,
          ...facts,
        });
    },
    onLimit: (response: RateLimiterRes) => {
      throw attributeTo(rateLimited(retryAfterSeconds(response.msBeforeNext)), 'rateLimit');
    },
  });
  return rateLimitDirectiveTransformer;
}

const SEPARATOR = '~';
const MEASURE = 'm';
const ENFORCE = 'e';
/** Refusals a measuring profile was let through, with the limit that refused them. */
const measuredRefusals = new WeakMap<RateLimiterRes, { limit: number }>();

/**
 * The limiter class given to graphql-rate-limit-directive. The library builds one limiter per
 * `limit/duration` of the SDL; this one holds a limiter per limit a profile asks for (the SDL's
 * own keeps its keys; another limit counts under keys of its own), read from the key the key
 * generator wrote, and in measure mode answers a refusal as a pass (setState logs it).
 */
function profileLimiterClass(base: typeof RateLimiterAbstract): typeof RateLimiterAbstract {
  class ProfileLimiter {
    readonly #options: IRateLimiterOptions & { points: number; keyPrefix: string };
    readonly #byLimit = new Map<number, RateLimiterAbstract>();
    constructor(options: IRateLimiterOptions & { points: number; keyPrefix: string }) {
      this.#options = options;
    }
    #limiter(points: number): RateLimiterAbstract {
      let limiter = this.#byLimit.get(points);
      if (!limiter) {
        const keyPrefix =
          points === this.#options.points ? this.#options.keyPrefix : `${this.#options.keyPrefix}:p${points}`;
        limiter = new base({ ...this.#options, keyPrefix, points });
        this.#byLimit.set(points, limiter);
      }
      return limiter;
    }
    async consume(key: string, points = 1): Promise<RateLimiterRes> {
      const first = key.indexOf(SEPARATOR);
      const second = key.indexOf(SEPARATOR, first + 1);
      const limit = Number(key.slice(0, first));
      const limiter = this.#limiter(limit);
      const caller = key.slice(second + 1);
      if (key.slice(first + 1, second) !== MEASURE) return limiter.consume(caller, points);
      try {
        return await limiter.consume(caller, points);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        measuredRefusals.set(error, { limit });
        return error;
      }
    }
  }
  return ProfileLimiter as unknown as typeof RateLimiterAbstract;
}

export const rateLimitProtection = defineProtection({
  name: 'rateLimit',
  phase: 'execution',
  summary:
    '`@rateLimit(limit, duration, per)` per field and account (any token or API key of it) or client network (anonymous, or `per: NETWORK` before sign-in): RATE_LIMITED with retryAfter, charged per resolution.',
  // The numbers are the directive's arguments, in the schema beside each field.
  env: z.object({}),
  checkTypeDefs: assertTypeDefsRateLimitKeying,
  create: (_options, { limiters }) => ({ schemaTransform: createRateLimitTransform({ limiters }) }),
});
