import type { Config } from '../config.js';
import { describeOptions, parseFlags } from './args.js';
import { COMMANDS, findCommand, type Command } from './commands.js';
import { CommandFailed, UsageError, describeFailure } from './errors.js';

// The admin CLI: `npm run admin -- <command> [flags]`. Exit codes: 0 done, 1 not done (taken
// address, unknown key, database in use or unreachable, bad environment), 2 bad arguments or
// input (nothing was done). Messages go to stderr, results to stdout; never a stack trace.

const PROGRAM = 'npm run admin --';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `Usage: ${PROGRAM} <command> [flags]`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Help on one command: ${PROGRAM} <command> --help`,
    'The database is the one the server uses: DATABASE_URL (and DATABASE_SCHEMA), or PGlite in DATA_DIR',
    '(./data by default; the server must be stopped). The environment and .env are read as the server reads them.',
    '',
  ].join('\n');
}

function help(command: Command): string {
  return [
    `Usage: ${command.usage.join('\n       ')}`,
    '',
    `${command.name}: ${command.summary}.`,
    '',
    describeOptions(command.options),
    ...(command.notes ? ['', command.notes] : []),
    '',
  ].join('\n');
}

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

async function run(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(overview());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && args[0] !== undefined ? findCommand(args[0]) : undefined;
    process.stdout.write(topic ? help(topic) : overview());
    return 0;
  }
  const command = findCommand(name);
  if (!command) {
    process.stderr.write(
      `admin: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see ${PROGRAM} --help)\n`,
    );
    return 2;
  }
  if (wantsHelp(args)) {
    process.stdout.write(help(command));
    return 0;
  }
  let config: Config | undefined;
  try {
    await command.run(parseFlags(args, command.options), {
      config: async () => (config ??= (await import('../config.js')).loadConfig()),
      stdin: process.stdin,
      out: (text) => process.stdout.write(text),
    });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`admin ${name}:${indent(error.message)}\n(see ${PROGRAM} ${name} --help)\n`);
      return error.exitCode;
    }
    if (error instanceof CommandFailed) {
      process.stderr.write(`admin ${name}:${indent(error.message)}\n`);
      return error.exitCode;
    }
    // The server's own start-up message: the variable and the rule, never the value.
    if (error instanceof Error && error.name === 'ConfigError') {
      process.stderr.write(`admin ${name}: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`admin ${name}: failed: ${describeFailure(error)}\n`);
    return 1;
  }
}

/** Several messages (one per refused flag) on lines of their own. */
const indent = (message: string) =>
  message.includes('\n') ? `\n  ${message.split('\n').join('\n  ')}` : ` ${message}`;

// Exit as soon as the answer is written: nothing else (a pool's idle timer) may keep the process.
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`admin: failed: ${describeFailure(error)}\n`);
    process.exit(1);
  },
);
