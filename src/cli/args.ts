import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly required?: boolean;
  /** One line for the command's --help. */
  readonly help: string;
  /** Shown after the flag in --help (e.g. `E`). */
  readonly value?: string;
}

export type Options = Readonly<Record<string, OptionSpec>>;

/** The parsed flags: strings for string options, true for a given boolean option. */
export interface Flags {
  string(name: string): string | undefined;
  /** A required string option (already checked by parseFlags). */
  required(name: string): string;
  boolean(name: string): boolean;
}

/**
 * node's own parser in strict mode (an unknown flag, a missing value or a stray word is refused,
 * never ignored), then the required flags. Every refusal is a UsageError naming the flag.
 */
export function parseFlags(args: readonly string[], options: Options): Flags {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({
      args: [...args],
      options: Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, { type: spec.type }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  const missing = Object.entries(options)
    .filter(([name, spec]) => spec.required && values[name] === undefined)
    .map(([name]) => `--${name}`);
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}`);
  const string = (name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    string,
    required(name) {
      const value = string(name);
      if (value === undefined) throw new UsageError(`missing --${name}`);
      return value;
    },
    boolean: (name) => values[name] === true,
  };
}

/** node's parseArgs messages, first line only (the rest is advice about positionals). */
function parseArgsMessage(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) return `unknown option ${unknown[1]}`;
  const positional = /^Unexpected argument '([^']*)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && positional)
    return `unexpected argument '${positional[1]}' (every value follows its --flag)`;
  const option = /^Option '(--[^' ]+)[^']*' argument (missing|is ambiguous)/.exec(message);
  if (option?.[2] === 'missing') return `${option[1]} needs a value`;
  if (option) return `${option[1]} needs a value (one that starts with "-" is written ${option[1]}=-…)`;
  return (message.split('\n')[0] ?? message).replace(/^Option /, 'option ');
}

/** The options part of a command's --help. */
export function describeOptions(options: Options): string {
  const rows = Object.entries(options).map(([name, spec]) => [
    `--${name}${spec.value ? ` ${spec.value}` : ''}`,
    `${spec.help}${spec.required ? ' (required)' : ''}`,
  ]);
  const width = Math.max(...rows.map(([flag]) => (flag ?? '').length));
  return rows.map(([flag, help]) => `  ${(flag ?? '').padEnd(width)}  ${help}`).join('\n');
}
