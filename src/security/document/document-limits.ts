import type { ValidationRule } from 'graphql';
import { createDepthLimitRule } from './depth-limit.js';
import { createOperationLimitsRule } from './operation-limits.js';
import { z } from 'zod';
import { int } from '../options.js';
import { defineProtection } from '../protection.js';

export interface DocumentLimitsOptions {
  /** Lexer tokens per document (parser-level, before any AST is built). */
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
}

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
 * Production messages never state a limit's value (graphql-js's token-limit message, which does,
 * is reworded with the other library messages in security/response/error-messages.ts).
 */
export function createDocumentLimits(options: DocumentLimitsOptions): DocumentLimits {
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
  };
}

/**
 * Validation errors reported per document before graphql-js aborts validation (its default is
 * 100). A hostile document (a directive flood also breaks the spec's unique-directive rule once
 * per repeat) would otherwise cost a hundred error objects to build and format; masking then keeps
 * one per kind of mistake and at most MAX_ERRORS_PER_ANSWER (response/masked-errors.ts).
 */
export const MAX_VALIDATION_ERRORS = 10;

export const documentLimitsProtection = defineProtection({
  name: 'documentLimits',
  phase: 'document',
  summary:
    'Tokens at parse time, then aliases, directives, root fields, expanded fragment spreads and depth (400).',
  env: z.object({
    MAX_TOKENS: int(10, 100_000).default(2000).describe('Lexer tokens per document.'),
    MAX_DEPTH: int(1, 100).default(10).describe('Deepest nesting of selection sets.'),
    MAX_ALIASES: int(0, 1000).default(15).describe('Aliases per operation, fragments expanded.'),
    MAX_DIRECTIVES: int(0, 1000).default(20).describe('Directives per operation, fragments expanded.'),
    MAX_ROOT_FIELDS: int(1, 1000).default(10).describe('Fields on the root type per operation.'),
    MAX_FRAGMENT_SPREADS: int(1, 100_000).default(200).describe('Fragment spreads per operation, expanded.'),
  }),
  create: (options, { production }) => {
    const limits = createDocumentLimits({
      maxTokens: options.MAX_TOKENS,
      maxDepth: options.MAX_DEPTH,
      maxAliases: options.MAX_ALIASES,
      maxDirectives: options.MAX_DIRECTIVES,
      maxRootFields: options.MAX_ROOT_FIELDS,
      maxFragmentSpreads: options.MAX_FRAGMENT_SPREADS,
      production,
    });
    return {
      parseOptions: limits.parseOptions,
      validationRules: limits.validationRules,
      apollo: { validationMaxErrors: MAX_VALIDATION_ERRORS },
    };
  },
});
