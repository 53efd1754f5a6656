import type { Response } from 'express';

/**
 * Work that must not shape the answer: it starts once the response has been sent (or the client
 * went away), so the answer's content and timing cannot depend on it (no account enumeration by
 * the time a mail takes), and its failure cannot change the answer.
 */
export interface AfterAnswer {
  /** Runs `task` after `res` is finished or closed; a failure goes to `onError`, never further. */
  schedule(res: Response, task: () => Promise<void>, onError: (error: unknown) => void): void;
  /** Resolves when every task scheduled so far has settled, or after `timeoutMs` (shutdown). */
  idle(timeoutMs?: number): Promise<void>;
}

export function createAfterAnswer(): AfterAnswer {
  const pending = new Set<Promise<void>>();
  return {
    schedule(res, task, onError) {
      const done = new Promise<void>((resolve) => {
        let started = false;
        const start = () => {
          if (started) return;
          started = true;
          task().catch(onError).finally(resolve);
        };
        if (res.writableFinished || res.destroyed) setImmediate(start);
        else {
          res.once('finish', start);
          res.once('close', start);
        }
      });
      pending.add(done);
      void done.then(() => pending.delete(done));
    },
    async idle(timeoutMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      await Promise.race([Promise.allSettled([...pending]), timeout]);
      clearTimeout(timer);
    },
  };
}
