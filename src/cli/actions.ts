import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { hashPassword, isCommonPassword } from '../auth/passwords.js';
import type { Queryable } from '../db/client.js';
import { Role } from '../generated/schema-types.js';
import { createApiKeysRepository } from '../modules/identity/api-keys.repository.js';
import { createCredentialsRepository } from '../modules/identity/credentials.repository.js';
import { apiKeyId, apiKeyTier, registerInput } from '../modules/identity/identity.inputs.js';
import type { ApiKeyRow } from '../modules/identity/identity.model.js';
import { createProductInput } from '../modules/products/products.inputs.js';
import { createProductsRepository } from '../modules/products/products.repository.js';
import { email as emailRule } from '../validation.js';
import type { Flags } from './args.js';
import type { CommandIo } from './commands.js';
import { withDatabase } from './database.js';
import { CommandFailed, UsageError } from './errors.js';
import { readPasswordLine } from './stdin.js';

// The commands' work, over the modules' own input rules and repositories: the CLI writes what the
// API would write. Every argument is checked before the database is opened.

type Labels = Readonly<Record<string, string>>;

/** The issues of one rule, each named by the flag it came from, with the rule's own message. */
function issuesOf<S extends z.ZodType>(schema: S, value: unknown, labels: Labels) {
  const result = schema.safeParse(value);
  if (result.success) return { data: result.data as z.output<S>, issues: [] };
  const issues = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    return `${labels[key] ?? (key || 'input')}: ${issue.message}`;
  });
  return { data: undefined, issues };
}

/** Refuses with every issue at once (one line each), so one run shows every mistake. */
function refuseIssues(issues: readonly string[]): void {
  if (issues.length > 0) throw new UsageError([...new Set(issues)].join('\n'));
}

function check<S extends z.ZodType>(schema: S, value: unknown, labels: Labels): z.output<S> {
  const { data, issues } = issuesOf(schema, value, labels);
  refuseIssues(issues);
  return data as z.output<S>;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** 24 random bytes (192 bits) as 32 base64url characters: within 12..128, never a common password. */
const generatePassword = () => randomBytes(24).toString('base64url');

const ROLES = Object.values(Role);
const roleRule = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(ROLES, { message: `Must be one of ${ROLES.join(', ')}.` }));

const accountFields = registerInput.omit({ password: true });

export async function createUser(flags: Flags, io: CommandIo): Promise<void> {
  const labels = { email: '--email', name: '--name', password: 'password (standard input)' };
  const role = issuesOf(roleRule, flags.required('role'), { '': '--role' });
  const account = issuesOf(
    accountFields,
    { email: flags.required('email'), name: flags.required('name') },
    labels,
  );
  refuseIssues([...account.issues, ...role.issues]);
  const newRole = role.data;
  if (newRole === undefined) throw new UsageError('--role: Must be given.'); // refuseIssues has said why
  const generated = flags.boolean('generate-password');
  const password = generated ? generatePassword() : await readPasswordLine(io.stdin);
  const input = check(registerInput, { ...account.data, password }, labels);
  if (isCommonPassword(input.password))
    throw new UsageError(`${labels.password}: This password is too common; choose another.`);
  const config = await io.config();
  const passwordHash = await hashPassword(input.password);
  const user = await withDatabase(config, (db) =>
    // register's statement, then verifyEmail's, through the identity repository: the account is
    // written exactly as a sign-up writes it; only the role is set here. All of it or nothing.
    db.transaction(async (tx) => {
      const credentials = createCredentialsRepository(tx);
      const token = randomBytes(32).toString('base64url');
      const registered = await credentials.registerUnverified({
        email: input.email,
        name: input.name,
        passwordHash,
        verificationTokenHash: sha256(token),
        expiresAt: new Date(Date.now() + 60_000),
      });
      if (!registered.created) throw new CommandFailed(`${input.email} is already registered`);
      const verified = await credentials.consumeVerificationToken(sha256(token));
      if (!verified) throw new Error('the new account could not be verified');
      await credentials.setRole(verified.id, newRole);
      return verified;
    }),
  );
  io.out(`Created ${newRole} ${user.email} (id ${user.id}), verified: it can sign in now.\n`);
  if (generated) io.out(`Password (shown once, stored only as a hash): ${input.password}\n`);
}

export async function createProduct(flags: Flags, io: CommandIo): Promise<void> {
  const labels = { name: '--name', description: '--description' };
  const text = issuesOf(
    createProductInput.omit({ priceCents: true }),
    { name: flags.required('name'), description: flags.string('description') ?? '' },
    labels,
  );
  // A number only when written as a whole number: "12.5", "1e3", "0x10" and "" are refused.
  const written = flags.required('price-cents').trim();
  const price = /^-?\d{1,12}$/.test(written)
    ? issuesOf(createProductInput.shape.priceCents, Number(written), { '': '--price-cents' })
    : { data: undefined, issues: ['--price-cents: Must be a whole number of cents.'] };
  refuseIssues([...text.issues, ...price.issues]);
  const input = check(createProductInput, { ...text.data, priceCents: price.data }, labels);
  const created = await withDatabase(await io.config(), (db) => createProductsRepository(db).create(input));
  io.out(`${created.id}\n`);
}

/** The user an --email names, or a CommandFailed. */
async function userByEmail(db: Queryable, address: string) {
  const user = await createCredentialsRepository(db).findCredentialsByEmail(address);
  if (!user) throw new CommandFailed(`no user with the address ${address}`);
  return user;
}

const iso = (date: Date | null) => (date ? date.toISOString() : '-');

/** What is shown of a key: never its hash (the repository does not even select it). */
const keyView = (key: ApiKeyRow) => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  scopes: key.scopes,
  tier: key.tier,
  createdAt: key.createdAt.toISOString(),
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
});

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function listKeys(flags: Flags, io: CommandIo): Promise<void> {
  const address = check(emailRule, flags.required('email'), { '': '--email' });
  const { user, keys } = await withDatabase(await io.config(), async (db) => {
    const owner = await userByEmail(db, address);
    return { user: owner, keys: await createApiKeysRepository(db).listByUser(owner.id) };
  });
  if (flags.boolean('json')) {
    io.out(`${JSON.stringify(keys.map(keyView), null, 2)}\n`);
    return;
  }
  if (keys.length === 0) {
    io.out(`${user.email} has no API keys.\n`);
    return;
  }
  const header = ['ID', 'NAME', 'PREFIX', 'SCOPES', 'TIER', 'CREATED', 'LAST USED', 'REVOKED'];
  const rows = keys.map((k) => [
    k.id,
    k.name,
    `${k.prefix}…`,
    k.scopes.join(','),
    k.tier ?? '-',
    iso(k.createdAt),
    iso(k.lastUsedAt),
    iso(k.revokedAt),
  ]);
  io.out(`API keys of ${user.email} (user ${user.id}):\n${table([header, ...rows])}\n`);
}

export async function revokeKey(flags: Flags, io: CommandIo): Promise<void> {
  const id = flags.string('id');
  const address = flags.string('email');
  const all = flags.boolean('all');
  if (id !== undefined && (address !== undefined || all))
    throw new UsageError('give either --id, or --email with --all, not both');
  if (id !== undefined) {
    const key = check(apiKeyId, { id }, { id: '--id' });
    const message = await withDatabase(await io.config(), async (db) => {
      const apiKeys = createApiKeysRepository(db);
      const found = await apiKeys.findById(key.id);
      if (!found) throw new CommandFailed(`no API key with the id ${key.id}`);
      if (found.revokedAt) return `API key ${found.id} was already revoked at ${iso(found.revokedAt)}.`;
      await apiKeys.revoke(found.id, found.userId);
      return `Revoked API key ${found.id} (${found.prefix}…, "${found.name}").`;
    });
    io.out(`${message}\n`);
    return;
  }
  if (address === undefined) throw new UsageError('missing --id (or --email with --all)');
  if (!all) throw new UsageError('--email revokes every key of the user only with --all (one key: --id)');
  const owner = check(emailRule, address, { '': '--email' });
  const { email, revoked } = await withDatabase(await io.config(), async (db) => {
    const user = await userByEmail(db, owner);
    const apiKeys = createApiKeysRepository(db);
    // Active keys come first in the list and a user holds at most MAX_ACTIVE_API_KEYS (20) of
    // them, so the list (50) holds every one.
    let count = 0;
    for (const key of await apiKeys.listByUser(user.id))
      if (!key.revokedAt && (await apiKeys.revoke(key.id, user.id))) count++;
    return { email: user.email, revoked: count };
  });
  io.out(`Revoked ${revoked} active API key${revoked === 1 ? '' : 's'} of ${email}.\n`);
}

/** What --tier says to clear the tier with (a tier of that name can therefore never be set). */
const NO_TIER = 'none';

export async function setKeyTier(flags: Flags, io: CommandIo): Promise<void> {
  const key = issuesOf(apiKeyId, { id: flags.required('key') }, { id: '--key' });
  const written = flags.required('tier');
  const tier =
    written === NO_TIER ? { data: null, issues: [] } : issuesOf(apiKeyTier, written, { '': '--tier' });
  refuseIssues([...key.issues, ...tier.issues]);
  const id = key.data?.id;
  if (id === undefined || tier.data === undefined) throw new UsageError('--key and --tier must be given'); // refuseIssues has said why
  const newTier = tier.data;
  const updated = await withDatabase(await io.config(), (db) =>
    createApiKeysRepository(db).setTier(id, newTier),
  );
  if (!updated) throw new CommandFailed(`no API key with the id ${id}`);
  const what = `API key ${updated.id} (${updated.prefix}…, "${updated.name}")`;
  // A revoked key keeps its tier but is refused anyway: say so, so nobody expects it to work.
  const revoked = updated.revokedAt ? ` It was revoked at ${iso(updated.revokedAt)}.` : '';
  io.out(
    newTier === null
      ? `Cleared the tier of ${what}.${revoked}\n`
      : `Set the tier of ${what} to ${newTier}.${revoked}\n`,
  );
}
