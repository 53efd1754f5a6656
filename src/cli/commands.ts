import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import type { Flags, Options } from './args.js';

export interface CommandIo {
  /** Read on first use: --help and refused flags never depend on the environment. */
  config(): Promise<Config>;
  stdin: Readable & { isTTY?: boolean };
  out(text: string): void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The synopsis lines of its --help. */
  readonly usage: readonly string[];
  readonly notes?: string;
  readonly options: Options;
  run(flags: Flags, io: CommandIo): Promise<void>;
}

// What each command does lives in actions.ts, loaded only when a command runs: the input rules,
// the database drivers and argon2 take seconds to load, --help and a mistyped flag need none of them.
const actions = () => import('./actions.js');

const createUser: Command = {
  name: 'create-user',
  summary: 'create a verified user with a role (password from standard input, or generated)',
  usage: [
    'printf \'%s\\n\' "$PASSWORD" | npm run admin -- create-user --email E --name N --role ADMIN|CUSTOMER',
    'npm run admin -- create-user --email E --name N --role ADMIN|CUSTOMER --generate-password',
  ],
  notes:
    'The account is verified at once (no mail is sent) and can sign in with login. The input rules are\n' +
    "register's: a valid address (at most 254 characters, case-insensitive), a password of 12 to 128\n" +
    'characters that is not a common one, a name of 1 to 80 characters. The password is one line on\n' +
    'standard input (a trailing newline is dropped); a terminal is refused rather than echoed.',
  options: {
    email: { type: 'string', required: true, value: 'E', help: 'the address the user signs in with' },
    name: { type: 'string', required: true, value: 'N', help: 'the display name' },
    role: { type: 'string', required: true, value: 'ROLE', help: 'ADMIN or CUSTOMER' },
    'generate-password': {
      type: 'boolean',
      help: 'generate a strong password and print it once, instead of reading standard input',
    },
  },
  run: async (flags, io) => (await actions()).createUser(flags, io),
};

const createProduct: Command = {
  name: 'create-product',
  summary: 'create a product; prints its id',
  usage: ['npm run -s admin -- create-product --name N --description D --price-cents P'],
  notes:
    "The input rules are createProduct's: a name of 1 to 200 characters, a description of at most\n" +
    '5000 (line breaks allowed), a price in whole cents from 0 to 100000000. Markup is stored\n' +
    'escaped, as the API stores it. Only the id is printed, so a script can keep it.',
  options: {
    name: { type: 'string', required: true, value: 'N', help: 'the product name' },
    description: { type: 'string', value: 'D', help: 'the description (default: empty)' },
    'price-cents': { type: 'string', required: true, value: 'P', help: 'the price in cents, e.g. 1999' },
  },
  run: async (flags, io) => (await actions()).createProduct(flags, io),
};

const listKeys: Command = {
  name: 'list-keys',
  summary: "list a user's API keys (never a secret or a hash)",
  usage: ['npm run admin -- list-keys --email E [--json]'],
  notes:
    'Every active key, then the most recently revoked (50 keys at most, as the apiKeys query).\n' +
    '"last used" is written by the server in batches (API_KEY_USAGE_FLUSH_MS, 10 s by default).',
  options: {
    email: { type: 'string', required: true, value: 'E', help: "the owner's address" },
    json: { type: 'boolean', help: 'print a JSON array instead of a table' },
  },
  run: async (flags, io) => (await actions()).listKeys(flags, io),
};

const revokeKey: Command = {
  name: 'revoke-key',
  summary: 'revoke one API key by id, or every active key of a user',
  usage: ['npm run admin -- revoke-key --id ID', 'npm run admin -- revoke-key --email E --all'],
  notes:
    'A revoked key is refused from the next request on (the server looks every key up in the\n' +
    'database). Revoking a key that is already revoked changes nothing and is not an error.',
  options: {
    id: { type: 'string', value: 'ID', help: 'the id of the key (list-keys shows it)' },
    email: { type: 'string', value: 'E', help: "with --all: the owner's address" },
    all: { type: 'boolean', help: 'with --email: revoke every active key of that user' },
  },
  run: async (flags, io) => (await actions()).revokeKey(flags, io),
};

const setKeyTier: Command = {
  name: 'set-key-tier',
  summary: "set or clear an API key's client tier (it selects the key's client profile)",
  usage: [
    'npm run admin -- set-key-tier --key ID --tier TIER',
    'npm run admin -- set-key-tier --key ID --tier none',
  ],
  notes:
    'A tier is 1 to 32 characters of a-z, 0-9, _ and -, starting with a letter or digit; "none"\n' +
    "clears it. Only an operator sets a tier (the API never lets a key's owner choose one). The\n" +
    'server reads it with the key on every request: it counts from the next request on.',
  options: {
    key: { type: 'string', required: true, value: 'ID', help: 'the id of the key (list-keys shows it)' },
    tier: { type: 'string', required: true, value: 'TIER', help: 'the tier, or none to clear it' },
  },
  run: async (flags, io) => (await actions()).setKeyTier(flags, io),
};

export const COMMANDS: readonly Command[] = [createUser, createProduct, listKeys, revokeKey, setKeyTier];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
