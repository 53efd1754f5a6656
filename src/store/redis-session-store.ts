import type { Redis } from 'ioredis';
import type { RotateResult, SessionStore } from './session-store.js';

// Key layout, all under the deployment prefix:
//   <p>t:<token hash>  hash { f: family id, u: user id, a: "1" live | "0" rotated }
//   <p>f:<family id>   string user id: the family is alive while this key exists
//   <p>u:<user id>     set of the user's family ids (for logoutEverywhere)
// Family and user keys are derived inside the scripts from the token's record, which assumes a
// single Redis (or a primary with replicas), not Redis Cluster: that is the deployment here.

// Check-and-rotate in one script: Redis runs a script without interleaving any other command,
// so of two concurrent rotations of one token exactly one sees it live; the other sees it
// rotated, which is reuse, and ends the family.
const ROTATE = `
local v = redis.call('HMGET', KEYS[1], 'f', 'u', 'a')
local fam, uid, live = v[1], v[2], v[3]
if not fam then return {'invalid'} end
local famKey = ARGV[1] .. 'f:' .. fam
if redis.call('EXISTS', famKey) == 0 then return {'invalid'} end
if live ~= '1' then
  redis.call('DEL', famKey)
  redis.call('SREM', ARGV[1] .. 'u:' .. uid, fam)
  return {'reused', uid, fam}
end
local ttl = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'a', '0')
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('HSET', KEYS[2], 'f', fam, 'u', uid, 'a', '1')
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', famKey, ttl)
redis.call('EXPIRE', ARGV[1] .. 'u:' .. uid, ttl)
return {'rotated', uid, fam}
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
export function createRedisSessionStore(redis: Redis, prefix: string): SessionStore {
  const tokenKey = (hash: string) => `${prefix}t:${hash}`;
  return {
    async create({ familyId, userId, tokenHash, ttlSeconds }) {
      const userKey = `${prefix}u:${userId}`;
      const results = await redis
        .multi()
        .hset(tokenKey(tokenHash), { f: familyId, u: userId, a: '1' })
        .expire(tokenKey(tokenHash), ttlSeconds)
        .set(`${prefix}f:${familyId}`, userId, 'EX', ttlSeconds)
        .sadd(userKey, familyId)
        .expire(userKey, ttlSeconds)
        .exec();
      // A half-created family must not pass silently: the caller answers with an error instead.
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('session create aborted');
    },
    async rotate(oldHash, newHash, ttlSeconds): Promise<RotateResult> {
      const result = (await redis.eval(
        ROTATE,
        2,
        tokenKey(oldHash),
        tokenKey(newHash),
        prefix,
        String(ttlSeconds),
      )) as [string, string?, string?];
      const [status, userId, familyId] = result;
      if ((status === 'rotated' || status === 'reused') && userId && familyId) {
        return { status, userId, familyId };
      }
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
