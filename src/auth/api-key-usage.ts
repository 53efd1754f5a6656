import type { ApiKeyDirectory } from './ports.js';

/**
 * Marks API keys as used without a write per request: ids are collected in memory and written in
 * one statement every `intervalMs` (and on shutdown). lastUsedAt is therefore accurate to the
 * interval, which is what a key list needs.
 */
export function createApiKeyUsageBuffer(
  keys: Pick<ApiKeyDirectory, 'markUsed'>,
  intervalMs = 10_000,
  onError?: (e: unknown) => void,
) {
  let pending = new Set<string>();
  const flush = async () => {
    if (pending.size === 0) return;
    const ids = [...pending];
    pending = new Set();
    try {
      await keys.markUsed(ids, new Date());
    } catch (error) {
      onError?.(error);
    }
  };
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    mark(id: string) {
      pending.add(id);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
export type ApiKeyUsageBuffer = ReturnType<typeof createApiKeyUsageBuffer>;
