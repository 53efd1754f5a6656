import {
  TokenKind,
  type DocumentNode,
  type OperationDefinitionNode,
  type Token,
  type ValidationRule,
} from 'graphql';
import { attributeTo } from '../../audit/marks.js';
import { AppError, ErrorCode } from '../../errors.js';
import { DOCUMENT_LIMITS, type DocumentLimit, type Profile } from '../profiles.js';
import { analyzeDocument } from './analysis.js';
import { createDepthLimitRule, exceedsDepth } from './depth-limit.js';
import { createOperationLimitsRule } from './operation-limits.js';
import { z } from 'zod';
import { int } from '../options.js';
import { defineProtection, type ProtectionPieces } from '../protection.js';

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

const LABELS: Record<DocumentLimit, string> = {
  tokens: 'tokens',
  depth: 'levels of nesting',
  aliases: 'aliases',
  directives: 'directives',
  rootFields: 'root fields',
  fragmentSpreads: 'fragment spreads (expanded)',
};

const tokenCounts = new WeakMap<DocumentNode, number>();

/** Lexer tokens of a parsed document, as the parser's maxTokens counts them (comments aside). */
function countTokens(document: DocumentNode): number {
  const known = tokenCounts.get(document);
  if (known !== undefined) return known;
  let count = 0;
  for (
    let token: Token | null | undefined = document.loc?.startToken;
    token && token.kind !== TokenKind.EOF;
    token = token.next
  )
    if (token.kind !== TokenKind.COMMENT && token.kind !== TokenKind.SOF) count += 1;
  tokenCounts.set(document, count);
  return count;
}

/** The profile's own document limits the running operation crosses (those below the ceiling only). */
function crossed(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  profile: Profile,
  ceiling: Readonly<Record<DocumentLimit, number>>,
): { measure: DocumentLimit; limit: number; observed?: number }[] {
  const found: { measure: DocumentLimit; limit: number; observed?: number }[] = [];
  const analysis = analyzeDocument(document);
  const stats = analysis.safe ? analysis.operations.find((op) => op.node === operation) : undefined;
  for (const measure of DOCUMENT_LIMITS) {
    const limit = profile.limits[measure];
    if (limit >= ceiling[measure]) continue; // the validation rules held the request to it already
    if (measure === 'tokens') {
      const observed = countTokens(document);
      if (observed > limit) found.push({ measure, limit, observed });
    } else if (measure === 'depth') {
      if (exceedsDepth(document, limit)) found.push({ measure, limit });
    } else if (stats && stats[measure] > limit) {
      found.push({ measure, limit, observed: stats[measure] });
    }
  }
  return found;
}

/**
 * A client profile's own document limits, below the ceiling, on the operation that runs, after
 * validation (protection.ts: afterValidation), on the same cached analysis: the same 400
 * GRAPHQL_VALIDATION_FAILED as the rules.
 */
function profileDocumentLimits(
  ceiling: Readonly<Record<DocumentLimit, number>>,
  production: boolean,
): NonNullable<ProtectionPieces['afterValidation']> {
  return ({ document, operation, identity }) => {
    const first = crossed(document, operation, identity.profile, ceiling)[0];
    if (!first) return undefined;
    const label = LABELS[first.measure];
    return attributeTo(
      new AppError(
        ErrorCode.GRAPHQL_VALIDATION_FAILED,
        production
          ? `The operation has too many ${label}.`
          : `The operation has more than ${first.limit} ${label}.`,
        { http: { status: 400 } },
        operation,
      ),
      'documentLimits',
      {
        facts: {
          measure: first.measure,
          limit: first.limit,
          ...(first.observed !== undefined ? { observed: first.observed } : {}),
        },
      },
    );
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
  create: (_options, { production, profiles }) => {
    // The parser and the rules hold every request to the ceiling: the highest value of each limit
    // over the environment (these options) and every client profile (config.ts folds them).
    const ceiling = profiles.current().ceiling;
    const limits = createDocumentLimits({
      maxTokens: ceiling.tokens,
      maxDepth: ceiling.depth,
      maxAliases: ceiling.aliases,
      maxDirectives: ceiling.directives,
      maxRootFields: ceiling.rootFields,
      maxFragmentSpreads: ceiling.fragmentSpreads,
      production,
    });
    return {
      parseOptions: limits.parseOptions,
      validationRules: limits.validationRules,
      apollo: { validationMaxErrors: MAX_VALIDATION_ERRORS },
      afterValidation: profileDocumentLimits(ceiling, production),
    };
  },
});
