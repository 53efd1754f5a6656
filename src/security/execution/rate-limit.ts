import type { GraphQLSchema } from 'graphql';
import { rateLimitDirective, type RateLimitArgs } from 'graphql-rate-limit-directive';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import { type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RequestIdentity } from '../../request.js';
import { ErrorCode, rateLimited, retryAfterSeconds } from '../../errors.js';
import { wouldRefuse } from '../measure.js';
import type { Profile, Profiles } from '../profiles.js';
import { attributeTo } from '../../audit/marks.js';
import { RateLimitPer } from '../../generated/schema-types.js';
import { clientKey, networkKey } from '../client-key.js';
import type { LimiterFactory } from '../../store/limiters.js';
import { z } from 'zod';
import { defineProtection } from '../protection.js';
import { assertTypeDefsRateLimitKeying } from './rate-limit-keying.js';

export interface RateLimitOptions {
  limiters: LimiterFactory;
  /** The client profiles: in measure mode a field is counted against the highest of their limits. */
  profiles?: Profiles;
}

/** A field's limit for a profile: its override, or the SDL's times the profile's multiplier. */
const limitFor = (profile: Profile, coordinate: string, sdlLimit: number): number =>
  profile.rateLimit.fields.get(coordinate) ??
  Math.max(1, Math.round(sdlLimit * profile.rateLimit.multiplier));

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
  profiles,
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
      const own = limitFor(profile, coordinate, args.limit);
      const caller = `${rateLimitKey(args, context)}:${coordinate}`;
      if (!profile.measure.has('rateLimit')) return `${own}${SEPARATOR}${ENFORCE}${SEPARATOR}${caller}`;
      // Measure mode: counted against the highest limit any profile gives the field (still
      // enforced); past the profile's own, the call is served and logged.
      const all = profiles ? [...profiles.current().profiles.values()] : [profile];
      const ceiling = Math.max(args.limit, ...all.map((p) => limitFor(p, coordinate, args.limit)));
      return `${ceiling}${SEPARATOR}${own}${SEPARATOR}${caller}`;
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
/** In the key's second part: enforce the first part's limit; otherwise the profile's own limit, measured. */
const ENFORCE = 'e';
/** Calls a measuring profile was let through past its own limit, with that limit. */
const measuredRefusals = new WeakMap<RateLimiterRes, { limit: number }>();

/**
 * The limiter class given to graphql-rate-limit-directive. The library builds one limiter per
 * `limit/duration` of the SDL; this one holds a limiter per limit a profile asks for (the SDL's
 * own keeps its keys; another limit counts under keys of its own), read from the key the key
 * generator wrote; in measure mode a pass past the profile's own limit is marked (setState logs it).
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
      const limiter = this.#limiter(Number(key.slice(0, first)));
      const mode = key.slice(first + 1, second);
      const caller = key.slice(second + 1);
      const response = await limiter.consume(caller, points);
      if (mode !== ENFORCE && response.consumedPoints > Number(mode))
        measuredRefusals.set(response, { limit: Number(mode) });
      return response;
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
  create: (_options, { limiters, profiles }) => ({
    schemaTransform: createRateLimitTransform({ limiters, profiles }),
  }),
});
