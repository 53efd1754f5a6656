import type { DocumentNode, GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { AppError, ErrorCode } from '../../errors.js';
import { attributeTo } from '../../audit/marks.js';
import { analyzeDocument } from './analysis.js';

export interface DepthLimitOptions {
  /** Deepest nesting of selection sets, introspection aside. Production default 10 (MAX_DEPTH). */
  maxDepth: number;
  /**
   * Deepest nesting when introspection fields are counted. graphql-depth-limit skips `__schema`
   * and `__type` entirely, yet `__type { fields { type { fields … } } }` nests without end; the
   * standard introspection query (Apollo Sandbox, codegen) needs 14. Default 15. Production
   * disables introspection altogether.
   */
  introspectionMaxDepth?: number;
  /** graphql-depth-limit runs only when the expanded spread count is within this bound. */
  maxFragmentSpreads: number;
  production: boolean;
}

/**
 * Depth limit with graphql-depth-limit, kept behind a guard. The library is unmaintained: it
 * crashes on an unknown fragment, overflows the stack on a fragment cycle, takes exponential
 * time on fragment fan-out, and reports one error per deep branch. So it only ever sees a
 * document our linear analysis has found acyclic, complete and within the spread bound (anything
 * else is already refused by the spec rules or the operation-limits rule, with the same 400),
 * and its many reports are folded into one error that states the limit only outside production.
 */
export function createDepthLimitRule(options: DepthLimitOptions): ValidationRule {
  const introspectionMax = Math.max(options.maxDepth, options.introspectionMaxDepth ?? 15);
  const message = (limit: number) =>
    options.production
      ? 'The operation is nested too deeply.'
      : `The operation is nested deeper than ${limit}.`;

  return (context) => {
    const document = context.getDocument();
    const analysis = analyzeDocument(document);
    if (!analysis.safe) return {};
    if (analysis.operations.some((op) => op.fragmentSpreads > options.maxFragmentSpreads)) return {};

    let reported = false;
    const reportOnce = (error: GraphQLError) => {
      if (reported) return;
      reported = true;
      context.reportError(
        attributeTo(
          new AppError(ErrorCode.GRAPHQL_VALIDATION_FAILED, message(options.maxDepth), {}, error.nodes ?? []),
          'documentLimits',
          { facts: { measure: 'depth', limit: options.maxDepth } },
        ),
      );
    };
    // The library needs only these two members of the context.
    const guarded = { getDocument: () => document, reportError: reportOnce } as unknown as ValidationContext;
    depthLimit(options.maxDepth)(guarded);

    // Introspection subtrees, which the library ignores, measured on our own analysis.
    const deepest = analysis.operations.find((op) => op.depth > introspectionMax);
    if (deepest && !reported) {
      reported = true;
      context.reportError(
        attributeTo(
          new AppError(ErrorCode.GRAPHQL_VALIDATION_FAILED, message(introspectionMax), {}, deepest.node),
          'documentLimits',
          { facts: { measure: 'introspectionDepth', limit: introspectionMax, observed: deepest.depth } },
        ),
      );
    }
    return {};
  };
}

const depthChecks = new WeakMap<DocumentNode, Map<number, boolean>>();

/**
 * Whether a validated document nests deeper than `maxDepth` by graphql-depth-limit's count (the
 * rule's measure), for a client profile's own depth below the ceiling; cached per document.
 */
export function exceedsDepth(document: DocumentNode, maxDepth: number): boolean {
  let known = depthChecks.get(document);
  const cached = known?.get(maxDepth);
  if (cached !== undefined) return cached;
  let exceeded = false;
  const probe = {
    getDocument: () => document,
    reportError: () => {
      exceeded = true;
    },
  } as unknown as ValidationContext;
  depthLimit(maxDepth)(probe);
  if (!known) depthChecks.set(document, (known = new Map()));
  known.set(maxDepth, exceeded);
  return exceeded;
}
