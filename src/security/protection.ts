import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Request, RequestHandler } from 'express';
import type {
  DocumentNode,
  GraphQLError,
  GraphQLFieldResolver,
  GraphQLFormattedError,
  GraphQLSchema,
  OperationDefinitionNode,
  ValidationRule,
} from 'graphql';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Viewer } from '../auth/viewer.js';
import type { RequestIdentity } from '../request.js';
import type { LimiterFactory } from '../store/limiters.js';
import type { Profile, Profiles } from './profiles.js';

/** Express's `trust proxy` setting (TRUST_PROXY): nobody, everyone, a hop count, or addresses / subnets / names. */
export type TrustProxy = boolean | number | readonly string[];

/** What every protection may use; built once by createApp. */
export interface ProtectionContext {
  production: boolean;
  /** Express's `trust proxy` setting (TRUST_PROXY): whose X-Forwarded-* headers count. */
  trustProxy: TrustProxy;
  /**
   * The request's client network (security/client-network.ts: the IPv4 address, or the IPv6
   * /CLIENT_IPV6_PREFIX network), computed once per request: what a limit keyed on an address uses.
   */
  clientNetwork: (req: Request) => string;
  /**
   * Who is asking, from the request's headers alone (no body needed), decided once per request
   * and kept in the request state: anonymous without credentials, the user or API key with good
   * ones; bad ones throw AuthenticationError (401).
   */
  identify: (req: Request) => Promise<Viewer>;
  /** The client profiles in force (PROFILES_FILE, reloaded on SIGHUP). */
  profiles: Profiles;
  /**
   * The request's client profile, chosen from its viewer once and kept in the request state.
   * Credentials that are refused give the anonymous profile here (not kept): authentication
   * answers them with 401 in its own place.
   */
  profileOf: (req: Request) => Promise<Profile>;
  log: Logger;
  /** Every limiter of the app on one store (Redis with in-memory insurance, or memory). */
  limiters: LimiterFactory;
  /**
   * The document rules of the whole defence, folded (parse options, validation rules, the
   * validation error cap, introspection), for a protection that parses and validates a document
   * itself (the cost protection's dry run). Set by protect(); call it lazily (at request time):
   * the fold is complete only once every protection is built.
   */
  documentRules: () => DocumentRules;
}

/** Every rule a document meets before it runs, as the defence folds them. */
export interface DocumentRules {
  parseOptions: { maxTokens?: number };
  /** The protections' rules, to run after graphql-js's specifiedRules. */
  validationRules: readonly ValidationRule[];
  validationMaxErrors: number | undefined;
  /** false: introspection is refused (Apollo's `introspection` setting). */
  introspection: boolean;
  /**
   * The caller's own document rules (ProtectionPieces.afterValidation), every protection's, for
   * this caller: the first refusal its profile enforces, or undefined.
   */
  afterValidation: (args: AfterValidationArgs) => GraphQLError | undefined;
}

/** What a check of a validated document for one caller sees. */
export interface AfterValidationArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  identity: RequestIdentity;
}

/** Apollo Server settings a protection may set (protect() refuses two protections setting one). */
export interface ApolloSettings {
  introspection?: boolean;
  csrfPrevention?: boolean;
  includeStacktraceInErrorResponses?: boolean;
  hideSchemaDetailsFromClientErrors?: boolean;
  allowBatchedHttpRequests?: boolean;
  /** `false` turns automatic persisted queries off. */
  persistedQueries?: false;
  /** graphql-js stops validating a document after this many errors. */
  validationMaxErrors?: number;
}

/**
 * The pieces a protection contributes, each optional: a protection returns only what it needs
 * (a piece that is off is absent, not a branch inside it).
 */
export interface ProtectionPieces {
  /** Express middleware for every route, mounted in pipeline order before any route. */
  everyRequest?: RequestHandler[];
  /** Express middleware for `/graphql` only, in pipeline order, before authentication. */
  graphqlRequest?: RequestHandler[];
  /** Applied to the HTTP server before it listens (socket timeouts). */
  server?: (server: http.Server) => void;
  /** graphql-js parser options (e.g. maxTokens). */
  parseOptions?: { maxTokens?: number };
  /** Validation rules, run after the spec rules. Pure: no I/O. */
  validationRules?: ValidationRule[];
  /**
   * A check of the validated document that depends on the caller (its client profile's limits).
   * It cannot be a validation rule: Apollo caches validated documents for every caller. Run on
   * the operation of every request after validation, and by the dry run (estimateCost). Pure: it
   * returns the refusal (a 400), or undefined; protect() throws it, or, when the request's profile
   * measures this protection, serves the request and writes a `would_refuse` event.
   */
  afterValidation?: (args: AfterValidationArgs) => GraphQLError | undefined;
  /**
   * Resolvers of root or other fields that the protection itself owns (`{ Query: { field } }`),
   * their SDL in schema/. Installed before every wrapper, so @auth, @rateLimit, the timeout and
   * the response guards wrap them like any module's resolver; a field that already has a
   * resolver is a start-up error.
   */
  resolvers?: Record<string, Record<string, GraphQLFieldResolver<unknown, RequestIdentity, never>>>;
  /** Wraps resolvers. The first protection of the list wraps outermost, so it runs first. */
  schemaTransform?: (schema: GraphQLSchema) => GraphQLSchema;
  /** Apollo plugin hooks; they see the request's identity, never the domain. */
  plugin?: ApolloServerPlugin<RequestIdentity>;
  /** Apollo's formatError: at most one protection owns it (masking). */
  formatError?: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  apollo?: ApolloSettings;
}

/**
 * One protection: a name, its options as environment variables (a zod object whose every default
 * is written once, beside its option), and a function that builds its pieces. Adding a
 * protection is one file that exports one of these and one line in PROTECTIONS (protections.ts).
 */
export interface Protection<N extends string = string, S extends z.ZodRawShape = z.ZodRawShape> {
  readonly name: N;
  /** The phase of the request it acts in (its folder). */
  readonly phase: 'http' | 'document' | 'execution' | 'response';
  /** One line for the docs' table of protections. */
  readonly summary: string;
  /** Environment variables → options. Keys are the variable names; defaults are the production ones. */
  readonly env: z.ZodObject<S>;
  /** Refuses type definitions at start-up, before anything is opened (throws with the reason). */
  readonly checkTypeDefs?: (typeDefs: readonly string[]) => void;
  create(options: z.output<z.ZodObject<S>>, context: ProtectionContext): ProtectionPieces;
}

/** Identity function that keeps the literal name and option types of a protection. */
export function defineProtection<const N extends string, S extends z.ZodRawShape>(
  protection: Protection<N, S>,
): Protection<N, S> {
  return protection;
}
