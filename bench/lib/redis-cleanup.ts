import { Redis } from 'ioredis';

/** Deletes this run's keys (only those under `prefix`) from a Redis it shares with others. */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  if (!/^bench:[a-z0-9]+:/.test(prefix)) throw new Error('refusing to delete a non-benchmark prefix');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    let loops = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0' && ++loops < 100_000);
  } catch {
    // a test-owned Redis may already be gone
  } finally {
    redis.disconnect();
  }
  return deleted;
}
