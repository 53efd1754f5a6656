import type { ValidationRule } from 'graphql';
import { AppError, ErrorCode } from '../../errors.js';
import { attributeTo } from '../../audit/marks.js';
import { analyzeDocument, type OperationStats } from './analysis.js';

export interface OperationLimitsOptions {
  /** Aliased fields per operation, fragments expanded. Production default 15 (MAX_ALIASES). */
  maxAliases: number;
  /** Directives per operation, fragments expanded. Production default 20 (MAX_DIRECTIVES). */
  maxDirectives: number;
  /** Fields on the root type per operation. Production default 10 (MAX_ROOT_FIELDS). */
  maxRootFields: number;
  /** Fragment spreads after expansion. Production default 200 (MAX_FRAGMENT_SPREADS). */
  maxFragmentSpreads: number;
  /** Production messages name the limit that was hit, never its value. */
  production: boolean;
}

type Measure = 'aliases' | 'directives' | 'rootFields' | 'fragmentSpreads';

const LABELS: Record<Measure, string> = {
  aliases: 'aliases',
  directives: 'directives',
  rootFields: 'root fields',
  fragmentSpreads: 'fragment spreads (expanded)',
};

/**
 * Size limits per operation, as one pure validation rule (no I/O): aliases (each alias is one
 * more resolver call, the usual way to multiply work or brute-force attempts in one request),
 * directives (directive overloading), root fields (fan-out at the top) and fragment spreads after
 * expansion (fragment fan-out). Counted on the shared linear analysis, so a hostile document is
 * refused in time linear in its size. Fragment cycles and unknown fragments are left to the spec
 * rules (NoFragmentCycles, KnownFragmentNames), which report them with the same 400.
 */
export function createOperationLimitsRule(options: OperationLimitsOptions): ValidationRule {
  const limits: Record<Measure, number> = {
    aliases: options.maxAliases,
    directives: options.maxDirectives,
    rootFields: options.maxRootFields,
    fragmentSpreads: options.maxFragmentSpreads,
  };
  return (context) => {
    const analysis = analyzeDocument(context.getDocument());
    if (!analysis.safe) return {};
    for (const op of analysis.operations) {
      for (const measure of Object.keys(limits) as Measure[]) {
        const limit = limits[measure];
        if (op[measure] > limit) context.reportError(limitError(op, measure, limit, options.production));
      }
    }
    return {};
  };
}

function limitError(op: OperationStats, measure: Measure, limit: number, production: boolean): AppError {
  const label = LABELS[measure];
  const message = production
    ? `The operation has too many ${label}.`
    : `The operation has ${op[measure]} ${label}; the limit is ${limit}.`;
  // The facts of the case for the security event (never the document itself).
  return attributeTo(
    new AppError(ErrorCode.GRAPHQL_VALIDATION_FAILED, message, {}, op.node),
    'documentLimits',
    {
      facts: { measure, limit, observed: op[measure] },
    },
  );
}
