import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Request } from 'express';
import type { Viewer } from '../auth/viewer.js';
import { getRequestState } from '../http/request-state.js';

/**
 * Client profiles (PROFILES_FILE, docs/profiles.md): named sets of limits, and the rules that give
 * each request one, from who is asking. Without a file the server's own values (the environment)
 * are the single profile, `default`, so nothing changes for a server that has none.
 *
 * Every document limit also has a ceiling: the highest value any profile (or the environment)
 * gives it. The parser and the validation rules enforce the ceiling for every request, before the
 * request's profile is looked at; a profile's own, lower value is checked after validation
 * (document-limits.ts). Measure mode never lifts a ceiling: it serves what the profile's value
 * would refuse, up to the ceiling.
 */

/** The protections a profile may run in measure mode: the ones whose refusals are limits. */
export const MEASURABLE = [
  'documentLimits',
  'introspection',
  'cost',
  'clientLimit',
  'rateLimit',
  'responseGuards',
  'trustedDocuments',
] as const;
export type Measurable = (typeof MEASURABLE)[number];

export type TrustedDocumentsMode = 'off' | 'log' | 'require';

/** Every number a profile sets, with the environment variable it defaults to. */
export interface ProfileLimits {
  /** Lexer tokens per document (MAX_TOKENS). */
  tokens: number;
  depth: number;
  aliases: number;
  directives: number;
  rootFields: number;
  fragmentSpreads: number;
  /** Points one operation may cost (MAX_COST). */
  cost: number;
  /** Points per hour per account or anonymous network (COST_BUDGET_PER_HOUR). */
  budgetPerHour: number;
  /** Requests per window per account or anonymous network (HTTP_RATE_LIMIT). */
  httpRate: number;
  responseItems: number;
  responseBytes: number;
}

/** The document limits: checked by the parser and validation at the ceiling, then per profile. */
export const DOCUMENT_LIMITS = [
  'tokens',
  'depth',
  'aliases',
  'directives',
  'rootFields',
  'fragmentSpreads',
] as const satisfies readonly (keyof ProfileLimits)[];
export type DocumentLimit = (typeof DOCUMENT_LIMITS)[number];

export interface Profile {
  readonly name: string;
  readonly limits: Readonly<ProfileLimits>;
  readonly introspection: boolean;
  /** `@rateLimit`: every field's limit times `multiplier`, unless `fields` names the field. */
  readonly rateLimit: { readonly multiplier: number; readonly fields: ReadonlyMap<string, number> };
  readonly trustedDocuments: TrustedDocumentsMode;
  /** Protections that only measure for this profile: what they would refuse is served and logged. */
  readonly measure: ReadonlySet<Measurable>;
}

/** The server's own values (the environment): the `default` profile, and what a profile leaves out inherits. */
export type ServerDefaults = Omit<Profile, 'name'>;

export interface ProfileSet {
  readonly profiles: ReadonlyMap<string, Profile>;
  /** The profile of a request, from its viewer. */
  select(viewer: Viewer): Profile;
  /** Per limit, the highest value of every profile and the environment: the outer wall. */
  readonly ceiling: Readonly<ProfileLimits> & { readonly introspection: boolean };
  /** The file it came from; undefined: the environment's single profile. */
  readonly file: string | undefined;
}

const positive = (max: number) => z.number().int().min(0).max(max);
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const profileName = z.string().regex(NAME, 'a name of letters, digits, _ . - (at most 64)');
const COORDINATE = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

const profileSchema = z
  .object({
    tokens: positive(100_000).min(10),
    depth: positive(100).min(1),
    aliases: positive(1000),
    directives: positive(1000),
    rootFields: positive(1000).min(1),
    fragmentSpreads: positive(100_000).min(1),
    cost: positive(10_000_000).min(1),
    budgetPerHour: positive(100_000_000).min(1),
    httpRate: positive(1_000_000).min(1),
    responseItems: positive(1_000_000).min(1),
    responseBytes: positive(256 * 1024 * 1024).min(1024),
    introspection: z.boolean(),
    rateLimit: z
      .object({
        multiplier: z.number().positive().max(1000).default(1),
        /** `Type.field` → its limit per the directive's window, for this profile. */
        fields: z
          .record(z.string().regex(COORDINATE, 'a field coordinate, Type.field'), positive(1_000_000).min(1))
          .default({}),
      })
      .strict(),
    trustedDocuments: z.enum(['off', 'log', 'require']),
    measure: z.array(z.enum(MEASURABLE)),
  })
  .partial()
  .strict();

const fileSchema = z
  .object({
    profiles: z.record(profileName, profileSchema),
    select: z
      .object({
        anonymous: profileName.optional(),
        /** Signed in, matched by nothing more specific. */
        signedIn: profileName.optional(),
        roles: z.partialRecord(z.enum(['ADMIN', 'CUSTOMER']), profileName).optional(),
        apiKeyTiers: z.record(z.string(), profileName).optional(),
        /** An API key whose tier no rule names (or that has none). */
        apiKeys: profileName.optional(),
        oidcClients: z.record(z.string(), profileName).optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((file, ctx) => {
    // Every profile a rule names exists (or is `default`, which always does).
    const known = (name: string) => name === 'default' || name in file.profiles;
    const check = (name: string | undefined, path: (string | number)[]) => {
      if (name !== undefined && !known(name))
        ctx.addIssue({ code: 'custom', path: ['select', ...path], message: `no profile named "${name}"` });
    };
    check(file.select.anonymous, ['anonymous']);
    check(file.select.signedIn, ['signedIn']);
    check(file.select.apiKeys, ['apiKeys']);
    for (const group of ['roles', 'apiKeyTiers', 'oidcClients'] as const)
      for (const [key, name] of Object.entries(file.select[group] ?? {})) check(name, [group, key]);
  });

export type ProfilesFile = z.output<typeof fileSchema>;

/** Reads and checks a profiles file (JSON or YAML); the error names the file and the bad key. */
export function readProfilesFile(path: string): ProfilesFile {
  let raw: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    raw = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`${path}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** The profile set of a file (or of the environment alone), every value filled in. */
export function buildProfileSet(
  defaults: ServerDefaults,
  file: ProfilesFile | undefined,
  path?: string,
): ProfileSet {
  const profiles = new Map<string, Profile>();
  const make = (name: string, spec: z.output<typeof profileSchema>): Profile => {
    const { introspection, rateLimit, trustedDocuments, measure, ...limits } = spec;
    return Object.freeze({
      name,
      limits: Object.freeze({ ...defaults.limits, ...limits }),
      introspection: introspection ?? defaults.introspection,
      rateLimit: Object.freeze({
        multiplier: rateLimit?.multiplier ?? defaults.rateLimit.multiplier,
        fields: new Map(Object.entries(rateLimit?.fields ?? {})),
      }),
      trustedDocuments: trustedDocuments ?? defaults.trustedDocuments,
      measure: new Set(measure ?? defaults.measure),
    });
  };
  profiles.set('default', make('default', {}));
  for (const [name, spec] of Object.entries(file?.profiles ?? {})) profiles.set(name, make(name, spec));

  const named = (name: string | undefined): Profile | undefined =>
    name === undefined ? undefined : profiles.get(name);
  const fallback = profiles.get('default') as Profile;
  const select = file?.select ?? {};
  const all = [...profiles.values()];
  const ceiling = Object.freeze({
    ...(Object.fromEntries(
      (Object.keys(defaults.limits) as (keyof ProfileLimits)[]).map((key) => [
        key,
        Math.max(...all.map((p) => p.limits[key])),
      ]),
    ) as unknown as ProfileLimits),
    introspection: all.some((p) => p.introspection),
  });

  return {
    profiles,
    ceiling,
    file: path,
    // The most specific rule wins: the OIDC client, the API key's tier, any API key, the role,
    // then signed in at all; anonymous callers have their own rule. Otherwise `default`.
    select(viewer: Viewer): Profile {
      if (viewer.kind === 'anonymous') return named(select.anonymous) ?? fallback;
      const byClient =
        viewer.kind === 'user' && viewer.clientId !== undefined
          ? named(select.oidcClients?.[viewer.clientId])
          : undefined;
      const byTier =
        viewer.kind === 'apiKey' && viewer.tier !== null
          ? named(select.apiKeyTiers?.[viewer.tier])
          : undefined;
      const byKey = viewer.kind === 'apiKey' ? named(select.apiKeys) : undefined;
      return (
        byClient ??
        byTier ??
        byKey ??
        named(select.roles?.[viewer.role]) ??
        named(select.signedIn) ??
        fallback
      );
    },
  };
}

/** The profiles in force, replaceable at run time (SIGHUP) without dropping a request. */
export interface Profiles {
  current(): ProfileSet;
  /**
   * Reads the file again. A good file replaces the set for every request that starts afterwards
   * (a request keeps the profile it started with); a bad one leaves the old set and says why.
   */
  reload(): { ok: true; profiles: string[] } | { ok: false; error: string };
}

export function createProfiles(defaults: ServerDefaults, initial: ProfileSet): Profiles {
  let set = initial;
  return {
    current: () => set,
    reload() {
      if (set.file === undefined) return { ok: false, error: 'PROFILES_FILE is not set: nothing to reload' };
      try {
        const next = buildProfileSet(defaults, readProfilesFile(set.file), set.file);
        // The parser and the validation rules were built with the ceilings of the start: a
        // document limit above them would never be reached, so such a file is refused.
        const raised = DOCUMENT_LIMITS.filter((key) => next.ceiling[key] > initial.ceiling[key]);
        if (raised.length > 0)
          throw new Error(
            `${set.file}: ${raised.join(', ')} above the value at start (${raised.map((k) => initial.ceiling[k]).join(', ')}): raising a document limit's ceiling needs a restart`,
          );
        if (next.ceiling.introspection && !initial.ceiling.introspection)
          throw new Error(`${set.file}: introspection allowed by a profile: that needs a restart`);
        set = next;
        return { ok: true, profiles: [...next.profiles.keys()] };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}

/** The request's profile: chosen from its viewer the first time, then kept in the request state. */
export function requestProfile(req: Request, profiles: Profiles, viewer: Viewer): Profile {
  const state = getRequestState(req);
  state.profile ??= profiles.current().select(viewer);
  return state.profile;
}
