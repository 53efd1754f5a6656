import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Viewer } from '../../src/auth/viewer.js';
import { parseConfig } from '../../src/config.js';
import { buildProfileSet, type ProfilesFile } from '../../src/security/profiles.js';

// Which profile a viewer gets: the most specific rule wins (OIDC client, key tier, any key, role,
// signed in), anonymous has its own rule, and anything unmatched is `default`.

const defaults = parseConfig({ NODE_ENV: 'test' }).profiles.defaults;
const file: ProfilesFile = {
  profiles: { visitor: {}, web: {}, partner: {}, keys: {}, staff: {}, members: {}, app: {} },
  select: {
    anonymous: 'visitor',
    oidcClients: { 'mobile-app': 'app' },
    apiKeyTiers: { gold: 'partner' },
    apiKeys: 'keys',
    roles: { ADMIN: 'staff' },
    signedIn: 'members',
  },
};
const set = buildProfileSet(defaults, file);
const user = (extra: Partial<Extract<Viewer, { kind: 'user' }>> = {}): Viewer => ({
  kind: 'user',
  userId: 'u',
  role: 'CUSTOMER',
  tokenId: 't',
  ...extra,
});
const key = (tier: string | null, role: 'ADMIN' | 'CUSTOMER' = 'CUSTOMER'): Viewer => ({
  kind: 'apiKey',
  keyId: 'k',
  userId: 'u',
  role,
  scopes: [],
  tier,
});

describe('profile selection', () => {
  const cases: [string, Viewer, string][] = [
    ['anonymous', { kind: 'anonymous' }, 'visitor'],
    ['an OIDC client named by a rule', user({ clientId: 'mobile-app', role: 'ADMIN' }), 'app'],
    ['an OIDC client no rule names: the role, then signed in', user({ clientId: 'other' }), 'members'],
    ['an admin session: the role', user({ role: 'ADMIN' }), 'staff'],
    ['a customer session: signed in', user(), 'members'],
    ['a key of tier gold, even an admin’s', key('gold', 'ADMIN'), 'partner'],
    ['a key of a tier no rule names: any key', key('silver'), 'keys'],
    ['a key without a tier: any key', key(null), 'keys'],
  ];
  for (const [name, viewer, expected] of cases)
    it(`${name} → ${expected}`, () => assert.equal(set.select(viewer).name, expected));

  it('without rules, everyone is `default`, with the environment’s values', () => {
    const bare = buildProfileSet(defaults, undefined);
    for (const [, viewer] of cases) assert.equal(bare.select(viewer).name, 'default');
    assert.deepEqual(bare.select({ kind: 'anonymous' }).limits, defaults.limits);
  });

  it('the ceiling is the highest value of the environment and every profile', () => {
    const wide = buildProfileSet(defaults, { profiles: { a: { depth: 30 }, b: { depth: 3 } }, select: {} });
    assert.equal(wide.ceiling.depth, 30);
    assert.equal(wide.ceiling.aliases, defaults.limits.aliases);
    assert.equal(
      wide.profiles.get('b')?.limits.aliases,
      defaults.limits.aliases,
      'unset keys inherit the server',
    );
  });
});
