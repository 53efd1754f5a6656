import type { Redis } from 'ioredis';
import {
  DEFAULT_REFRESH_ABSOLUTE_SECONDS,
  type RotateResult,
  type SessionStore,
  type SessionStoreTiming,
} from './session-store.js';

// Key layout, all under the deployment prefix:
//   <p>t:<token hash>  hash { f: family id, u: user id, a: "1" live | "0" rotated,
//                            c: the family's creation time (ms since the epoch, the app's clock) }
//   <p>f:<family id>   string user id: the family is alive while this key exists
//   <p>u:<user id>     set of the user's family ids (for logoutEverywhere)
// Family and user keys are derived inside the scripts from the token's record, which assumes a
// single Redis (or a primary with replicas), not Redis Cluster: that is the deployment here.
// Times come from the app's clock (ARGV), not Redis TIME, so every store reads one clock.

// The user's set of families lives as long as its longest family: its TTL is only ever raised
// (a family cut short by its absolute end must not shorten the set, or logoutEverywhere would
// miss the user's other families).
const EXTEND_USER_SET = `
local function extend(key, ttl)
  local current = redis.call('PTTL', key)
  if current < ttl then redis.call('PEXPIRE', key, ttl) end
end
`;

// KEYS: token; ARGV: prefix, family id, user id, ttl (ms), now (ms).
const CREATE = `${EXTEND_USER_SET}
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'f', ARGV[2], 'u', ARGV[3], 'a', '1', 'c', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('SET', ARGV[1] .. 'f:' .. ARGV[2], ARGV[3], 'PX', ttl)
local userKey = ARGV[1] .. 'u:' .. ARGV[3]
redis.call('SADD', userKey, ARGV[2])
extend(userKey, ttl)
return 1
`;

// Check-and-rotate in one script: Redis runs a script without interleaving any other command,
// so of two concurrent rotations of one token exactly one sees it live; the other sees it
// rotated, which is reuse, and ends the family. A family past its absolute lifetime ends here
// too (invalid, before the reuse check: an ended family's tokens are all just invalid).
// KEYS: old token, new token; ARGV: prefix, sliding ttl (ms), now (ms), absolute lifetime (ms).
const ROTATE = `${EXTEND_USER_SET}
local v = redis.call('HMGET', KEYS[1], 'f', 'u', 'a', 'c')
local fam, uid, live = v[1], v[2], v[3]
if not fam then return {'invalid'} end
local famKey = ARGV[1] .. 'f:' .. fam
local userKey = ARGV[1] .. 'u:' .. uid
if redis.call('EXISTS', famKey) == 0 then return {'invalid'} end
local now = tonumber(ARGV[3])
-- A family recorded before absolute lifetimes existed starts its clock now.
local created = tonumber(v[4]) or now
local remaining = created + tonumber(ARGV[4]) - now
if remaining <= 0 then
  redis.call('DEL', famKey)
  redis.call('SREM', userKey, fam)
  return {'invalid'}
end
if live ~= '1' then
  redis.call('DEL', famKey)
  redis.call('SREM', userKey, fam)
  return {'reused', uid, fam}
end
local ttl = math.min(tonumber(ARGV[2]), remaining)
redis.call('HSET', KEYS[1], 'a', '0')
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('HSET', KEYS[2], 'f', fam, 'u', uid, 'a', '1', 'c', string.format('%d', created))
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', famKey, ttl)
extend(userKey, ttl)
return {'rotated', uid, fam, string.format('%d', ttl)}
`;

const REVOKE_BY_TOKEN = `
local v = redis.call('HMGET', KEYS[1], 'f', 'u')
if not v[1] then return nil end
local n = redis.call('DEL', ARGV[1] .. 'f:' .. v[1])
redis.call('SREM', ARGV[1] .. 'u:' .. v[2], v[1])
if n == 0 then return nil end
return {v[2], v[1]}
`;

const REVOKE_USER = `
local fams = redis.call('SMEMBERS', KEYS[1])
local n = 0
for _, f in ipairs(fams) do n = n + redis.call('DEL', ARGV[1] .. 'f:' .. f) end
redis.call('DEL', KEYS[1])
return n
`;

/** Session families in Redis, shared by every instance; each mutation is one atomic step. */
export function createRedisSessionStore(
  redis: Redis,
  prefix: string,
  { absoluteSeconds = DEFAULT_REFRESH_ABSOLUTE_SECONDS, now = Date.now }: SessionStoreTiming = {},
): SessionStore {
  const tokenKey = (hash: string) => `${prefix}t:${hash}`;
  return {
    async create({ familyId, userId, tokenHash, ttlSeconds }) {
      // One script, run without interleaving; an error reaches the caller (which answers with an error).
      const ttl = Math.min(ttlSeconds, absoluteSeconds);
      await redis.eval(
        CREATE,
        1,
        tokenKey(tokenHash),
        prefix,
        familyId,
        userId,
        String(ttl * 1000),
        String(Math.trunc(now())),
      );
      return { ttlSeconds: ttl };
    },
    async rotate(oldHash, newHash, ttlSeconds): Promise<RotateResult> {
      const result = (await redis.eval(
        ROTATE,
        2,
        tokenKey(oldHash),
        tokenKey(newHash),
        prefix,
        String(ttlSeconds * 1000),
        String(Math.trunc(now())),
        String(absoluteSeconds * 1000),
      )) as [string, string?, string?, string?];
      const [status, userId, familyId, ttlMs] = result;
      if (status === 'rotated' && userId && familyId) {
        return { status, userId, familyId, ttlSeconds: Math.floor(Number(ttlMs) / 1000) };
      }
      if (status === 'reused' && userId && familyId) return { status, userId, familyId };
      return { status: 'invalid' };
    },
    async revokeByToken(tokenHash) {
      const result = (await redis.eval(REVOKE_BY_TOKEN, 1, tokenKey(tokenHash), prefix)) as
        [string, string] | null;
      return result ? { userId: result[0], familyId: result[1] } : null;
    },
    async revokeUser(userId) {
      return Number(await redis.eval(REVOKE_USER, 1, `${prefix}u:${userId}`, prefix));
    },
  };
}
