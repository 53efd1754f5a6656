import {
  DEFAULT_REFRESH_ABSOLUTE_SECONDS,
  type RotateResult,
  type SessionStore,
  type SessionStoreTiming,
} from './session-store.js';

interface TokenEntry {
  familyId: string;
  userId: string;
  active: boolean;
  expiresAt: number;
}
interface FamilyEntry {
  userId: string;
  expiresAt: number;
  /** The absolute end: creation time + the absolute lifetime. */
  endsAt: number;
}

/**
 * Single-process session store. Every method runs synchronously up to its return, so in
 * JavaScript's one thread a rotation is atomic: no interleaving between the check and the write.
 */
export function createMemorySessionStore({
  absoluteSeconds = DEFAULT_REFRESH_ABSOLUTE_SECONDS,
  now = Date.now,
}: SessionStoreTiming = {}): SessionStore {
  const tokens = new Map<string, TokenEntry>();
  const families = new Map<string, FamilyEntry>();
  const byUser = new Map<string, Set<string>>();
  let operations = 0;

  const liveFamily = (id: string): FamilyEntry | undefined => {
    const family = families.get(id);
    if (family && family.expiresAt <= now()) {
      families.delete(id);
      return undefined;
    }
    return family;
  };
  const endFamily = (id: string, userId: string) => {
    families.delete(id);
    byUser.get(userId)?.delete(id);
  };
  // Expired entries are swept now and then, so memory stays bounded by the live sessions.
  const sweep = () => {
    if (++operations % 1000 !== 0) return;
    const t = now();
    for (const [hash, entry] of tokens) if (entry.expiresAt <= t) tokens.delete(hash);
    for (const [id, family] of families) if (family.expiresAt <= t) endFamily(id, family.userId);
  };

  return {
    async create({ familyId, userId, tokenHash, ttlSeconds }) {
      sweep();
      const t = now();
      const endsAt = t + absoluteSeconds * 1000;
      const expiresAt = Math.min(t + ttlSeconds * 1000, endsAt);
      families.set(familyId, { userId, expiresAt, endsAt });
      tokens.set(tokenHash, { familyId, userId, active: true, expiresAt });
      let set = byUser.get(userId);
      if (!set) byUser.set(userId, (set = new Set()));
      set.add(familyId);
      return { ttlSeconds: Math.floor((expiresAt - t) / 1000) };
    },
    async rotate(oldHash, newHash, ttlSeconds): Promise<RotateResult> {
      sweep();
      const entry = tokens.get(oldHash);
      if (!entry || entry.expiresAt <= now()) return { status: 'invalid' };
      const family = liveFamily(entry.familyId);
      if (!family) return { status: 'invalid' };
      const t = now();
      // Past its absolute lifetime the family ends, however recently it was used.
      if (family.endsAt <= t) {
        endFamily(entry.familyId, entry.userId);
        return { status: 'invalid' };
      }
      if (!entry.active) {
        endFamily(entry.familyId, entry.userId);
        return { status: 'reused', userId: entry.userId, familyId: entry.familyId };
      }
      // The sliding TTL, never past the absolute end.
      const expiresAt = Math.min(t + ttlSeconds * 1000, family.endsAt);
      // The retired token is kept until the family would expire, to recognise its reuse.
      entry.active = false;
      entry.expiresAt = expiresAt;
      family.expiresAt = expiresAt;
      tokens.set(newHash, { familyId: entry.familyId, userId: entry.userId, active: true, expiresAt });
      return {
        status: 'rotated',
        userId: entry.userId,
        familyId: entry.familyId,
        ttlSeconds: Math.floor((expiresAt - t) / 1000),
      };
    },
    async revokeByToken(tokenHash) {
      const entry = tokens.get(tokenHash);
      if (!entry || !liveFamily(entry.familyId)) return null;
      endFamily(entry.familyId, entry.userId);
      return { userId: entry.userId, familyId: entry.familyId };
    },
    async revokeUser(userId) {
      const ids = byUser.get(userId) ?? new Set<string>();
      let alive = 0;
      for (const id of ids) if (liveFamily(id)) alive++;
      for (const id of ids) families.delete(id);
      byUser.delete(userId);
      return alive;
    },
  };
}
