import type { ApolloServerPlugin } from '@apollo/server';
import {
  defaultFieldResolver,
  getNullableType,
  isListType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { z } from 'zod';
import { identityFields, securityEvent } from '../../audit/audit.js';
import { AppError, ErrorCode } from '../../errors.js';
import type { RequestIdentity } from '../../request.js';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';
import type { Profiles } from '../profiles.js';
import { wouldRefuse } from '../measure.js';

export interface ResponseGuardOptions {
  /** List items one response may hold, all lists and depths together (MAX_RESPONSE_ITEMS). */
  maxItems: number;
  /** Bytes of the serialised `data` (MAX_RESPONSE_BYTES). */
  maxBytes: number;
  /**
   * The client profiles: a request's profile sets its own caps (`responseItems`,
   * `responseBytes`), or only measures them, up to the highest cap of any profile.
   */
  profiles?: Profiles;
}

interface Tally {
  items: number;
  tooLarge: boolean;
  /** The caps this request is refused at (its profile's, or in measure mode the ceiling's). */
  maxItems: number;
  maxBytes: number;
  /** Measure mode: the profile's own caps, logged when crossed, not enforced. */
  measured?: { maxItems: number; maxBytes: number; logged: boolean };
}

const tallies = new WeakMap<object, Tally>();
const MESSAGE = 'The response would be too large; ask for fewer items.';
const tooLarge = () => new AppError(ErrorCode.RESPONSE_TOO_LARGE, MESSAGE);

/**
 * Response guards. A query can pass every static limit and still build a huge answer (the cost is
 * an estimate). So execution counts what it really produces:
 * - every list a resolver returns adds its length to the request's tally; past `maxItems` the
 *   operation is stopped: that list and every list resolved after it fail at once, so no more of
 *   the answer is built;
 * - once execution has ended, the answer (when it holds any list item: without one its size is
 *   bounded by the input limits) is measured serialised; past `maxBytes` it is not sent.
 * Either way the client gets one RESPONSE_TOO_LARGE error with `data: null`, never part of an
 * oversized answer, and the decision is logged once as a `limit_hit` security event.
 */
export function createResponseGuards({ maxItems, maxBytes, profiles }: ResponseGuardOptions) {
  const tallyFor = (identity: RequestIdentity): Tally => {
    const profile = identity.profile;
    const own = { maxItems: profile.limits.responseItems, maxBytes: profile.limits.responseBytes };
    if (!profile.measure.has('responseGuards')) return { items: 0, tooLarge: false, ...own };
    const ceiling = profiles?.current().ceiling;
    return {
      items: 0,
      tooLarge: false,
      maxItems: Math.max(maxItems, ceiling?.responseItems ?? 0),
      maxBytes: Math.max(maxBytes, ceiling?.responseBytes ?? 0),
      measured: { ...own, logged: false },
    };
  };
  /** Measure mode: the profile's cap crossed, logged once per request; the answer is served. */
  const measure = (identity: RequestIdentity, tally: Tally, facts: Record<string, unknown>) => {
    if (!tally.measured || tally.measured.logged) return;
    tally.measured.logged = true;
    wouldRefuse(identity, 'responseGuards', ErrorCode.RESPONSE_TOO_LARGE, facts);
  };
  const count = (context: RequestIdentity, value: unknown): unknown => {
    const tally = tallies.get(context);
    if (!tally || !Array.isArray(value)) return value;
    tally.items += value.length;
    if (tally.items > tally.maxItems) {
      tally.tooLarge = true;
      throw tooLarge();
    }
    if (tally.measured && tally.items > tally.measured.maxItems)
      measure(context, tally, {
        limit: 'response_items',
        items: tally.items,
        maxItems: tally.measured.maxItems,
      });
    return value;
  };

  // Only list fields are wrapped (their own resolver or the default property read): a request
  // without lists pays nothing.
  const transform = (schema: GraphQLSchema): GraphQLSchema =>
    mapSchema(schema, {
      [MapperKind.OBJECT_FIELD]: (fieldConfig) => {
        if (!isListType(getNullableType(fieldConfig.type))) return fieldConfig;
        const resolve: GraphQLFieldResolver<unknown, RequestIdentity> =
          fieldConfig.resolve ?? defaultFieldResolver;
        return {
          ...fieldConfig,
          resolve(source, args, context: RequestIdentity, info) {
            if (tallies.get(context)?.tooLarge) throw tooLarge();
            const result: unknown = resolve(source, args, context, info);
            return result instanceof Promise
              ? result.then((value: unknown) => count(context, value))
              : count(context, result);
          },
        };
      },
    });

  const plugin: ApolloServerPlugin<RequestIdentity> = {
    async requestDidStart() {
      return {
        async executionDidStart({ contextValue }) {
          tallies.set(contextValue, tallyFor(contextValue));
        },
        async willSendResponse({ response, contextValue, operationName }) {
          const tally = tallies.get(contextValue);
          if (!tally || response.body.kind !== 'single') return;
          tallies.delete(contextValue);
          const result = response.body.singleResult;
          let bytes: number | undefined;
          if (!tally.tooLarge && tally.items > 0 && result.data) {
            bytes = Buffer.byteLength(JSON.stringify(result.data));
            tally.tooLarge = bytes > tally.maxBytes;
            if (tally.measured && bytes > tally.measured.maxBytes)
              measure(contextValue, tally, {
                limit: 'response_bytes',
                bytes,
                maxBytes: tally.measured.maxBytes,
              });
          }
          if (!tally.tooLarge) return;
          securityEvent(contextValue.log, 'limit_hit', {
            ...identityFields(contextValue),
            operationName: operationName ?? null,
            protection: 'responseGuards',
            code: ErrorCode.RESPONSE_TOO_LARGE,
            limit: bytes === undefined ? 'response_items' : 'response_bytes',
            ...(bytes === undefined
              ? { items: tally.items, maxItems: tally.maxItems }
              : { bytes, maxBytes: tally.maxBytes }),
          });
          // One error, no data: a client never receives part of an answer that was too large.
          result.data = null;
          result.errors = [{ message: MESSAGE, extensions: { code: ErrorCode.RESPONSE_TOO_LARGE } }];
        },
      };
    },
  };

  return { transform, plugin };
}

export const responseGuardsProtection = defineProtection({
  name: 'responseGuards',
  phase: 'response',
  summary:
    'Counts the list items execution really produces and measures the answer: past either cap, one RESPONSE_TOO_LARGE and no data.',
  env: z.object({
    MAX_RESPONSE_ITEMS: int(1, 1_000_000)
      .default(5000)
      .describe('List items one response may hold, every list and depth together.'),
    MAX_RESPONSE_BYTES: int(1024, 256 * 1024 * 1024)
      .default(4 * 1024 * 1024)
      .describe('Bytes of the serialised data of one response.'),
  }),
  create: (options, { profiles }) => {
    const guards = createResponseGuards({
      maxItems: options.MAX_RESPONSE_ITEMS,
      maxBytes: options.MAX_RESPONSE_BYTES,
      profiles,
    });
    return { schemaTransform: guards.transform, plugin: guards.plugin };
  },
});
