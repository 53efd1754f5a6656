import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type {
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { z } from 'zod';
import { attributeTo, attributionOf } from '../audit/marks.js';
import { wouldRefuse } from './measure.js';
import type { Measurable } from './profiles.js';
import type { RequestIdentity } from '../request.js';
import type { ApolloSettings, DocumentRules, ProtectionContext, ProtectionPieces } from './protection.js';
import { PROTECTIONS } from './protections.js';

/** The options of every protection, by name, as config.ts parses them from the environment. */
export type ProtectionOptions = {
  [P in (typeof PROTECTIONS)[number] as P['name']]: z.output<P['env']>;
};

/** Everything the protections contribute, folded into what Express and Apollo take. */
export interface Defence {
  /** Names in pipeline order (start-up log, docs, bench). */
  readonly names: readonly string[];
  readonly everyRequest: RequestHandler[];
  readonly graphqlRequest: RequestHandler[];
  applyToServer(server: http.Server): void;
  /** Every resolver wrapper; the first protection listed ends up outermost. */
  transformSchema(schema: GraphQLSchema): GraphQLSchema;
  readonly apollo: ApolloSettings & {
    parseOptions: { maxTokens?: number };
    validationRules: ValidationRule[];
    plugins: ApolloServerPlugin<RequestIdentity>[];
    formatError: ((formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError) | undefined;
  };
}

/** Every protection's start-up check of the SDL; needs no options, so it runs before anything opens. */
export function checkTypeDefs(typeDefs: readonly string[]): void {
  // Every check runs, so one start-up names every problem of the schema, not only the first.
  const errors: unknown[] = [];
  for (const protection of PROTECTIONS) {
    try {
      protection.checkTypeDefs?.(typeDefs);
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1)
    throw new Error(errors.map((e) => (e instanceof Error ? e.message : String(e))).join('\n\n'));
}

/**
 * Builds every protection of PROTECTIONS with its options and folds the pieces, keeping the
 * list's order. Two protections may not set the same Apollo setting or both own formatError:
 * that is a wiring mistake, refused at start-up.
 */
export function protect(
  options: ProtectionOptions,
  baseContext: Omit<ProtectionContext, 'documentRules'>,
): Defence {
  /** The fold, once built (documentRules() reads it at request time). */
  const fold: { defence?: Defence } = {};
  const context: ProtectionContext = {
    ...baseContext,
    documentRules: (): DocumentRules => {
      const folded = fold.defence;
      if (!folded) throw new Error('documentRules() is available once every protection is built');
      return {
        parseOptions: folded.apollo.parseOptions,
        validationRules: folded.apollo.validationRules,
        validationMaxErrors: folded.apollo.validationMaxErrors,
        introspection: folded.apollo.introspection !== false,
        afterValidation: (args) => {
          for (const { name, check } of afterValidation) {
            const error = check(args);
            if (error && !args.identity.profile.measure.has(name as Measurable)) return error;
          }
          return undefined;
        },
      };
    },
  };
  const built: { name: string; pieces: ProtectionPieces }[] = PROTECTIONS.map((p) => ({
    name: p.name,
    // Each protection is called with its own options (the mapped type pairs them by name).
    pieces: (p.create as (o: unknown, c: ProtectionContext) => ProtectionPieces)(options[p.name], context),
  }));
  /** A piece of every protection, each passed through `tag` with the protection's name. */
  const tagged = <T>(
    pick: (pieces: ProtectionPieces) => T[] | undefined,
    tag: (piece: T, name: string) => T,
  ): T[] => built.flatMap(({ name, pieces }) => (pick(pieces) ?? []).map((piece) => tag(piece, name)));
  const all = <T>(pick: (pieces: ProtectionPieces) => T | undefined): T[] =>
    built.flatMap(({ pieces }) => {
      const piece = pick(pieces);
      return piece === undefined ? [] : [piece];
    });

  const settings: Record<string, unknown> = {};
  const owners: Record<string, string> = {};
  let formatError: Defence['apollo']['formatError'];
  for (const { name, pieces } of built) {
    for (const [key, value] of Object.entries(pieces.apollo ?? {})) {
      if (key in owners) throw new Error(`protections ${owners[key]} and ${name} both set Apollo's ${key}`);
      owners[key] = name;
      settings[key] = value;
    }
    if (pieces.formatError) {
      if (formatError) throw new Error(`protection ${name}: formatError has an owner already`);
      formatError = pieces.formatError;
    }
  }
  const afterValidation = built.flatMap(({ name, pieces }) =>
    pieces.afterValidation ? [{ name, check: pieces.afterValidation }] : [],
  );
  const transforms = all((p) => p.schemaTransform).reverse();
  const serverHooks = all((p) => p.server);
  const owned = built.flatMap(({ name, pieces }) =>
    Object.entries(pieces.resolvers ?? {}).flatMap(([type, fields]) =>
      Object.entries(fields).map(([field, resolve]) => ({ name, type, field, resolve })),
    ),
  );
  /** The protections' own resolvers, installed before any wrapper. */
  const installResolvers = (schema: GraphQLSchema): GraphQLSchema => {
    if (owned.length === 0) return schema;
    return mapSchema(schema, {
      [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
        const own = owned.find((o) => o.type === typeName && o.field === fieldName);
        if (!own) return fieldConfig;
        if (fieldConfig.resolve)
          throw new Error(`protection ${own.name}: ${typeName}.${fieldName} has a resolver already`);
        return { ...fieldConfig, resolve: own.resolve as NonNullable<typeof fieldConfig.resolve> };
      },
    });
  };

  const folded: Defence = {
    names: built.map((b) => b.name),
    everyRequest: tagged((p) => p.everyRequest, attributeMiddleware),
    graphqlRequest: tagged((p) => p.graphqlRequest, attributeMiddleware),
    applyToServer: (server) => serverHooks.forEach((hook) => hook(server)),
    transformSchema: (schema) => transforms.reduce((s, transform) => transform(s), installResolvers(schema)),
    apollo: {
      ...(settings as ApolloSettings),
      parseOptions: Object.assign({}, ...all((p) => p.parseOptions)) as { maxTokens?: number },
      validationRules: tagged((p) => p.validationRules, attributeRule),
      plugins: [
        ...(afterValidation.length > 0 ? [afterValidationPlugin(afterValidation)] : []),
        ...all((p) => p.plugin),
      ],
      formatError,
    },
  };
  fold.defence = folded;
  return folded;
}

// Every refusal a protection makes is attributed to it here, once for all of them, so the security
// event and the metrics name the protection (audit/marks.ts) without each refusal saying so.

/** An error a protection's middleware passes on is that protection's refusal. */
function attributeMiddleware(middleware: RequestHandler, name: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    middleware(req, res, (error?: unknown) => {
      if (typeof error === 'object' && error !== null) attributeTo(error, name);
      next(error);
    });
}

/** The errors a protection's validation rule reports are that protection's refusals. */
function attributeRule(rule: ValidationRule, name: string): ValidationRule {
  return (context: ValidationContext) => {
    // A view of the shared context whose reportError tags first; everything else is the context's.
    const view = Object.create(context) as ValidationContext;
    view.reportError = (error: GraphQLError) => context.reportError(attributeTo(error, name));
    return rule(view);
  };
}

/**
 * The protections' checks of a validated document for its caller, on the operation that runs:
 * each refusal attributed to its protection and thrown (the same 400 as a validation rule's), or
 * in measure mode for the request's profile served and written as one `would_refuse` event.
 */
function afterValidationPlugin(
  checks: { name: string; check: NonNullable<ProtectionPieces['afterValidation']> }[],
): ApolloServerPlugin<RequestIdentity> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, contextValue }) {
          if (!operation) return;
          for (const { name, check } of checks) {
            const error = check({ schema, document, operation, identity: contextValue });
            if (!error) continue;
            attributeTo(error, name);
            if (!contextValue.profile.measure.has(name as Measurable)) throw error;
            const code = error.extensions.code;
            wouldRefuse(contextValue, name as Measurable, typeof code === 'string' ? code : 'none', {
              ...attributionOf(error)?.facts,
            });
          }
        },
      };
    },
  };
}
