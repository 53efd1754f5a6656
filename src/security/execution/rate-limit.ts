import type { GraphQLSchema } from 'graphql';
import { rateLimitDirective, type RateLimitArgs } from 'graphql-rate-limit-directive';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { RequestIdentity } from '../../request.js';
import { rateLimited, retryAfterSeconds } from '../../errors.js';
import { clientKey } from '../client-key.js';
import type { LimiterFactory } from '../../store/limiters.js';
import { z } from 'zod';
import { defineProtection } from '../protection.js';

export interface RateLimitOptions {
  limiters: LimiterFactory;
}

/**
 * The `@rateLimit(limit, duration)` directive of the SDL, on graphql-rate-limit-directive and
 * rate-limiter-flexible (Redis with in-memory insurance, or memory alone; see store/limiters.ts).
 *
 * Keys: the library's default key is the field coordinate alone, one bucket shared by every
 * client, so one abuser would lock everybody out. Ours is viewer + coordinate
 * (`user:<id>:Mutation.login`, `apikey:<id>:…`, `ip:<ip>:…`): each viewer has its own budget per
 * field and can never spend another's.
 *
 * Charging (what the README explains): the directive wraps the field's resolver, so every
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
 * Over the limit the client gets a coded field error (HTTP 200, as API.md states for fields):
 * RATE_LIMITED with `extensions.retryAfter` in seconds. The library's default error has no code.
 */
export function createRateLimitTransform({
  limiters,
}: RateLimitOptions): (schema: GraphQLSchema) => GraphQLSchema {
  const { rateLimitDirectiveTransformer } = rateLimitDirective<RequestIdentity>({
    name: 'rateLimit',
    limiterClass: limiters.limiterClass,
    limiterOptions: { keyPrefix: limiters.keyPrefix('rl:field') },
    keyGenerator: (_args: RateLimitArgs, _source, _fieldArgs, context, info) =>
      `${clientKey(context.viewer, context.ip)}:${info.parentType.name}.${info.fieldName}`,
    onLimit: (response: RateLimiterRes) => {
      throw rateLimited(retryAfterSeconds(response.msBeforeNext));
    },
  });
  return rateLimitDirectiveTransformer;
}

export const rateLimitProtection = defineProtection({
  name: 'rateLimit',
  phase: 'execution',
  summary:
    '`@rateLimit(limit, duration)` per viewer and field: RATE_LIMITED with retryAfter, charged per resolution.',
  // The numbers are the directive's arguments, in the schema beside each field.
  env: z.object({}),
  create: (_options, { limiters }) => ({ schemaTransform: createRateLimitTransform({ limiters }) }),
});
