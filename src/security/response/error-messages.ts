import { ErrorCode } from '../../errors.js';

/**
 * What a library message (graphql-js, Apollo) becomes for a client. graphql-js messages name
 * types, arguments, input fields and enum values the request never contained ("Field "product"
 * argument "id" of type "ID!" is required", "Value "X" does not exist in "Scope" enum"): schema
 * recovery tools read a schema out of them with introspection off. Apollo's name the server and
 * how to reconfigure it.
 *
 * Each entry recognises one kind of mistake and says it again with only what the client itself
 * wrote: the field, argument, variable, fragment, directive or type name it typed, an operation
 * name it sent, a path into its own variables. Anything not recognised gets the generic message of
 * its code: an allow-list, so a new library message cannot leak by default. `kind` also groups
 * repeats of one mistake (error-answers keeps one per kind).
 */
interface Entry {
  kind: string;
  pattern: RegExp;
  /** The production message, from the captures (every capture is client-sent text). */
  say: (m: RegExpExecArray) => string;
}

const q = (name: string | undefined) => `"${name ?? ''}"`;

const ENTRIES: readonly Entry[] = [
  // ── parse ──────────────────────────────────────────────────────────────────────────────────
  {
    // graphql-js states the token limit (MAX_TOKENS): production never states a limit's value.
    kind: 'too-many-tokens',
    pattern: /^Syntax Error: Document contains more tha[nt] \d+ tokens\. Parsing aborted\.$/,
    say: () => 'Syntax Error: Document is too large.',
  },
  // Other syntax errors quote only the document's own tokens.
  { kind: 'syntax', pattern: /^Syntax Error: /, say: (m) => m.input },
  // ── validation: selections ─────────────────────────────────────────────────────────────────
  {
    kind: 'unknown-field',
    pattern: /^Cannot query field "([^"]*)" on type "[^"]*"\./,
    say: (m) => `Cannot query field ${q(m[1])} here.`,
  },
  {
    kind: 'leaf-selection',
    pattern: /^Field "([^"]*)" must not have a selection since type "[^"]*" has no subfields\./,
    say: (m) => `Field ${q(m[1])} must not have a selection.`,
  },
  {
    kind: 'missing-selection',
    pattern:
      /^Field "([^"]*)" of type "[^"]*" must have (a selection of subfields|at least one field selected)\./,
    say: (m) => `Field ${q(m[1])} must have a selection of subfields.`,
  },
  {
    kind: 'field-conflict',
    pattern: /^Fields "([^"]*)" conflict because /,
    say: (m) => `Fields ${q(m[1])} conflict: use different aliases to fetch both.`,
  },
  // ── validation: arguments and values ───────────────────────────────────────────────────────
  {
    kind: 'missing-argument',
    pattern:
      /^(Field|Directive) "([^"]*)" argument "[^"]*" of type "[^"]*" is required, but it was not provided\./,
    say: (m) => `${m[1]} ${q(m[2])} is missing a required argument.`,
  },
  {
    kind: 'unknown-argument',
    pattern: /^Unknown argument "([^"]*)" on field "(?:[^".]*\.)?([^"]*)"\./,
    say: (m) => `Unknown argument ${q(m[1])} on field ${q(m[2])}.`,
  },
  {
    kind: 'unknown-argument',
    pattern: /^Unknown argument "([^"]*)" on directive "([^"]*)"\./,
    say: (m) => `Unknown argument ${q(m[1])} on directive ${q(m[2])}.`,
  },
  {
    kind: 'missing-input-field',
    pattern: /^Field "[^"]*" of required type "[^"]*" was not provided\./,
    say: () => 'An input object is missing a required field.',
  },
  {
    kind: 'unknown-input-field',
    pattern: /^Field "([^"]*)" is not defined by type "[^"]*"\./,
    say: (m) => `Input field ${q(m[1])} is not defined here.`,
  },
  {
    kind: 'invalid-value',
    pattern: /^Value "([^"]*)" does not exist in "[^"]*" enum\./,
    say: (m) => `Value ${q(m[1])} is not allowed here.`,
  },
  {
    kind: 'invalid-value',
    pattern:
      /^(Expected value of type |Enum "|OneOf Input Object "|Field "[^"]*" must be non-null|(Int|Float|String|Boolean|ID) cannot represent)/,
    say: () => 'This value is not valid here.',
  },
  // ── validation: variables ──────────────────────────────────────────────────────────────────
  {
    kind: 'variable-position',
    pattern:
      /^Variable "(\$[^"]*)" (of type "[^"]*" used in position expecting|is of type "[^"]*" but must be non-nullable)/,
    say: (m) => `Variable ${q(m[1])} has a type that does not fit where it is used.`,
  },
  // ── validation: fragments ──────────────────────────────────────────────────────────────────
  {
    kind: 'fragment-spread',
    pattern: /^Fragment "([^"]*)" cannot be spread here as objects of type /,
    say: (m) => `Fragment ${q(m[1])} cannot be spread here.`,
  },
  {
    kind: 'fragment-spread',
    pattern: /^Fragment cannot be spread here as objects of type /,
    say: () => 'This inline fragment cannot be spread here.',
  },
  // ── validation: introspection off (Apollo's rule, and graphql-js's for estimateCost) ──────
  {
    kind: 'introspection',
    pattern: /introspection (is not allowed|has been disabled)/i,
    say: () => 'Introspection is not available: use the published schema.',
  },
  // ── variable coercion (before execution: 400 BAD_USER_INPUT) ───────────────────────────────
  {
    kind: 'variable-value',
    pattern: /^Variable "(\$[^"]*)" got invalid value .*? at "([^"]*)"; /s,
    say: (m) => `Variable ${q(m[1])} has an invalid value at ${q(m[2])}.`,
  },
  {
    kind: 'variable-value',
    pattern: /^Variable "(\$[^"]*)" got invalid value /,
    say: (m) => `Variable ${q(m[1])} has an invalid value.`,
  },
  {
    kind: 'variable-value',
    pattern: /^Variable "(\$[^"]*)" of required type "[^"]*" was not provided\./,
    say: (m) => `Variable ${q(m[1])} is required but was not provided.`,
  },
  {
    kind: 'variable-value',
    pattern: /^Variable "(\$[^"]*)" of non-null type "[^"]*" must not be null\./,
    say: (m) => `Variable ${q(m[1])} must not be null.`,
  },
  {
    kind: 'variable-value',
    pattern: /^Variable "(\$[^"]*)" expected value of type "[^"]*" which cannot be used as an input type\./,
    say: (m) => `Variable ${q(m[1])} has a type that cannot be used as input.`,
  },
  // ── request shape (Apollo) ─────────────────────────────────────────────────────────────────
  {
    kind: 'missing-query',
    pattern: /^GraphQL operations must contain a non-empty `query`/,
    say: () => 'The request must contain a non-empty "query".',
  },
  {
    kind: 'persisted-query',
    pattern: /^PersistedQuery/,
    say: () => 'Persisted queries are not accepted: send the whole document.',
  },
  // Quote only what the client wrote, or nothing: these pass as they are.
  {
    kind: 'as-written',
    pattern:
      /^(Unknown (directive|fragment|type|operation named) "[^"]*"\.|Fragment "[^"]*" is never used\.|Variable "\$[^"]*" is (not defined|never used)( by| in)?( operation "[^"]*")?\.|There can be only one (operation|variable|argument|fragment|input field|directive) named "[^"]*"\.|The directive "@[^"]*" can only be used once at this location\.|Directive "@[^"]*" may not be used on [A-Z_]+\.|Variable "\$[^"]*" cannot be non-input type "[^"]*"\.|Fragment( "[^"]*")? cannot condition on non composite type "[^"]*"\.|Cannot spread fragment "[^"]*" within itself|This anonymous operation must be the only defined operation\.|Must provide operation name if query contains multiple operations\.|The "?[^"]*"? definition is not executable\.|Too many validation errors, error limit reached\. Validation aborted\.|`(variables|extensions|operationName|query)` in a (POST body|query string))/,
    say: (m) => m.input,
  },
];

/** The answer of a code for a message no entry recognises. */
const GENERIC: Partial<Record<string, string>> = {
  [ErrorCode.GRAPHQL_PARSE_FAILED]: 'Syntax Error.',
  [ErrorCode.GRAPHQL_VALIDATION_FAILED]: 'The document is not valid for this API.',
  [ErrorCode.BAD_USER_INPUT]: 'The request is not valid.',
};

export interface LibraryMessage {
  kind: string;
  /** The message with only client-sent names (production). */
  safe: string;
}

/** Classifies a message graphql-js or Apollo wrote (never one of ours: those pass as they are). */
export function libraryMessage(message: string, code: string): LibraryMessage {
  for (const entry of ENTRIES) {
    const m = entry.pattern.exec(message);
    if (m) {
      // "Did you mean …" lists schema names: development keeps it, the safe message never has it.
      const safe = entry.say(m).replace(/ Did you mean .*$/s, '');
      // Messages passed as written are one kind per shape: the names in them vary, the rule not.
      const kind = entry.kind === 'as-written' ? safe.replace(/"[^"]*"/g, '""') : entry.kind;
      return { kind, safe };
    }
  }
  return { kind: `other:${code}`, safe: GENERIC[code] ?? 'The request is not valid.' };
}
