import type { ApolloServerPlugin } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import type { RequestIdentity } from '../request.js';
import { createDepthLimitRule } from './depth-limit.js';
import { createOperationLimitsRule } from './operation-limits.js';

export interface DocumentLimitsOptions {
  /** Lexer tokens per document (parser-level, before any AST is built). Default 2 000 (MAX_TOKENS). */
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxRootFields: number;
  maxFragmentSpreads: number;
  production: boolean;
}

export interface DocumentLimits {
  parseOptions: { maxTokens: number };
  validationRules: ValidationRule[];
  plugin: ApolloServerPlugin<RequestIdentity>;
}

const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more tha[nt] \d+ tokens\. Parsing aborted\.$/;

/**
 * Every limit on the shape of a document, in the order they apply:
 *  - body size: express.json's limit (MAX_BODY_BYTES) → 413 before anything is parsed;
 *  - tokens: graphql-js stops lexing past `maxTokens` → 400 GRAPHQL_PARSE_FAILED, so the parser,
 *    the AST and every later rule work on a bounded input;
 *  - validation rules, after the spec rules (which refuse fragment cycles and unknown fragments):
 *    aliases, directives, root fields, fragment spreads expanded (operation-limits) and depth
 *    (depth-limit), all on one linear, memoised analysis → 400 GRAPHQL_VALIDATION_FAILED;
 *  - cost per operation, after validation, with the variables (cost-budget).
 *
 * Production messages never state a limit's value. graphql-js puts the token limit in its parse
 * error; the plugin below replaces that message in production.
 */
export function createDocumentLimits(options: DocumentLimitsOptions): DocumentLimits {
  const plugin: ApolloServerPlugin<RequestIdentity> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (!options.production || response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors?.some((e) => TOKEN_LIMIT_MESSAGE.test(e.message))) return;
          response.body.singleResult.errors = errors.map((e) =>
            TOKEN_LIMIT_MESSAGE.test(e.message)
              ? { ...e, message: 'Syntax Error: Document is too large.' }
              : e,
          );
        },
      };
    },
  };
  return {
    parseOptions: { maxTokens: options.maxTokens },
    validationRules: [
      createOperationLimitsRule(options),
      createDepthLimitRule({
        maxDepth: options.maxDepth,
        maxFragmentSpreads: options.maxFragmentSpreads,
        production: options.production,
      }),
    ],
    plugin,
  };
}
